def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch)
    return 1

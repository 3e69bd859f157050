"""Running student code: a warm zygote forks one jailed process per submission."""

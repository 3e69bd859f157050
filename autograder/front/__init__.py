"""The front doors, where a grading run is asked for and its options are built
(``autograder/options.py``):

- ``cli.py``: ``python grade.py`` and ``python -m autograder`` (one submission, ``--batch``,
  ``--similarity``, the bundles), with ``selection.py`` for ``-k``;
- ``notebook_check.py``: ``autograder.check()`` in a Jupyter kernel, which imports nothing of
  the grader, and ``check_server.py``, the grading process it talks to;
- ``pytest_plugin.py``: the options of ``pytest graders --submission DIR``.

Nothing is imported here: the kernel's side must stay free of the grader.
"""

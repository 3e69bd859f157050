"""A report (``autograder/engine/results.py``) for people and for platforms:

- ``views.py``: what every rendering shares (per-module views, a case's state and mark, the
  summary lines, hidden feedback held back, the size a results.json is cut to);
- ``text.py``: the terminal, ``feedback.txt`` and the notebook check as text;
- ``html.py``: ``feedback.html`` and the notebook check's table;
- ``gradescope.py`` and ``prairielearn.py``: each platform's results.json;
- ``files.py``: atomic writes, and the disk space a report reserves before grading.
"""

"""What is generated from the declarations (``reference/`` and ``graders/``), never written by
hand: ``template.py`` (``student_template/``, ``python -m autograder.make.template``),
``contract.py`` (``docs/ASSIGNMENT.md``, ``python -m autograder.make.contract``), and
``bundle.py`` (the Gradescope zip and the PrairieLearn image, ``grade.py --gradescope-bundle``
and ``--prairielearn-bundle``).
"""

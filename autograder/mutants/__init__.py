"""How strong are the graders? ``python -m autograder.mutants`` grades single-point mutants of
``reference/`` and reports, per item, how many lose points; every survivor is checked against
the reference on its items' inputs and beyond, to tell a blind spot (an input separates it:
shown, with the case that should catch it) from a mutant no input separates (equivalent, or
missed: for a person to judge and list in the reviewed list).

One module per job:
- ``operators``: the mutation operators, table-driven rewrites of one ``ast`` node;
- ``generate``: the mutants of a module, keyed stably;
- ``grading``: the mutants graded as a class by the batch engine;
- ``record``: the calls each case sends, recorded against a stand-in that answers as the
  reference does;
- ``perturb``: those calls changed (exact values, zeros, ties, repeated eigenvalues, tiny
  scalars, defaults);
- ``differential``: reference and mutant, each in the sandbox, on those inputs;
- ``reviewed``: the reviewed list of equivalent mutants;
- ``run`` and ``report``: a whole run, and what it prints.
"""

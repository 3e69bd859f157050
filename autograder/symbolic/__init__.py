"""Judging symbolic answers (the ``*_expr`` items) by mathematical equivalence, never by text.

Use from a grader::

    from autograder.symbolic import expect_equivalent
    import reference.activations as ref

    @M.case("sigmoid_grad_expr", "equivalence", points=2)
    def sigmoid_grad_expr_equivalence(f, rng):
        expect_equivalent(f(), ref.sigmoid_grad_expr(), {"z": ref.z}, rng=rng,
                          functions=("exp", "tanh", "cosh", "sinh"))

``expect_equivalent(got, expected, symbols, functions=(), shape=None, name="result", *, rng,
mistakes=None)``

- ``got``: what the student's function returned: an ``autograder.codec.SympyText`` (the text
  ``str(obj)`` of a sympy object, its terms unsorted, which is how sympy objects cross the
  sandbox), a plain string in sympy syntax (``"w1*w2**2/2"``), a Python number, or a
  list/tuple of those (nested for a matrix); a frozenset of numbers is read as a ``FiniteSet``.
- ``expected``: the reference's sympy object: an expression, a ``Matrix`` or a ``Set``. Its type
  decides how ``got`` is judged.
- ``symbols``: a dict name -> sympy Symbol (or a list of Symbols): the symbols the template
  module defines. Only these names may appear in the answer. Test points respect the symbols'
  assumptions (``positive=True`` draws positive values, ``integer=True`` integers).
- ``functions``: names of the functions the answer may call, e.g. ``("exp", "log")``; ``sqrt``
  and ``Rational`` are always allowed, and so are the constants ``pi``, ``E`` and ``oo``
  (``allowed.FUNCTIONS`` lists the known names).
- ``shape``: for a ``Matrix`` answer. ``None`` (default) requires the expected shape (a nested
  list of that shape is accepted as well as ``Matrix(...)``); ``"vector"`` accepts a row
  ``(1, n)``, a column ``(n, 1)`` or a flat list of ``n`` entries for an expected row or column
  vector; a tuple requires exactly that shape. Matrices are compared entry by entry.
- ``name``: how feedback refers to the value.
- ``rng``: the case's ``numpy.random.Generator`` (the ``rng`` the engine passes the case). The
  checker draws one number from it and keys every test point by that number and the entry, so
  ``grade.py --seed`` moves the points and a rerun with the same seed repeats them; a few more
  points, drawn afresh at full precision (``points.SECRET_POINTS``), catch an answer fitted
  to the public ones and change no verdict on an equivalent answer.
- ``mistakes``: ``{what the mistake is called: the wrong expression, matrix or set it gives}``;
  an answer equivalent to one of them (at the same test points) gets the mistake named at the
  end of its feedback, as for every check in ``autograder.checks``.

Raises ``checks.Mismatch`` with feedback that names the first differing entry and a point where
the answer and the expected value differ ("entry [0, 1]: at w1 = 0.3713, w2 = -1.208: expected
0.5418, got 0.2709; your entry is 'w1*w2'"), or why the text could not be read. It shows the
answer as read and the two values at that point, never the expected expression: that would be
the answer itself. Returns None when the answer is equivalent.

One module per job:

- ``allowed``: what an answer may contain (names, functions, size limits, and the counts of
  arguments and set parts checked on the syntax tree before anything is built).
- ``parser`` (with ``construct``): ``ast.parse`` then an allow-list walk that builds the sympy
  object itself; nothing the student wrote reaches ``eval``, ``exec`` or ``sympify``.
- ``forms``: ``Piecewise`` and ``Sum``, as sympy gives them back unsimplified (a geometric
  series' closed form beside its β = 1 case), read and evaluated by value.
- ``convert``: what came back from the sandbox (text, numbers, lists, sets) as sympy.
- ``evaluate``: mpmath evaluation (30 digits) that refuses overflowing ``exp`` and powers.
- ``points``: test points (8, redrawn where the expected value is undefined) and numeric
  agreement within a relative 1e-9 (plus 1e-12 absolute).
- ``simplify``: ``expand``, ``cancel`` and ``simplify`` of the difference in a helper process
  with a time budget: an exact nonzero constant rejects the answer; 0, or no verdict in time,
  lets the numbers stand.
- ``equivalence`` and ``sets``: the checks; ``expect_equivalent`` runs the whole judgement in
  the bounded helper (``autograder.bounded``, 10 s), so nothing sympy builds from a student's
  text exists in the grading process, and an answer that makes sympy work longer is refused.
"""

from .allowed import ALWAYS, CONSTANTS, FUNCTIONS, SET_ANSWER
from .equivalence import expect_equivalent
from .parser import parse
from .points import ATOL, N_POINTS, RTOL, SYMBOLIC

__all__ = ["expect_equivalent", "parse", "ALWAYS", "CONSTANTS", "FUNCTIONS", "SET_ANSWER", "N_POINTS", "RTOL",
           "ATOL", "SYMBOLIC"]

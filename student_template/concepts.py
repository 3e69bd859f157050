# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
"""Concepts (Assignment 3 §1): the multiple-choice questions."""


def mcq_answers():
    """Answers to Assignment 3 §1, questions q1, q2, q3, q4, q9 and q10.

    Returns a dict {"q1": ..., "q2": ..., "q3": ..., "q4": ..., "q9": ..., "q10": ...}.
    q1 is "check all that apply": give its letters as a string ("AC"), a list (["A", "C"]),
    a tuple or a set (one letter alone is fine too). The others take one uppercase letter,
    such as "B".

    q1 (check all that apply). A network of several dense layers with no nonlinearity
    between them (every activation the identity):
        A. computes an affine function of its input, as a single dense layer can.
        B. can represent XOR, given enough hidden units.
        C. has a squared loss that is convex in all its weights together.
        D. has gradients that can neither vanish nor explode, however deep it is.
    q2. A ReLU unit's pre-activation is negative for every training input. Trained by
    gradient descent on the data loss alone, its incoming weights and bias
        A. grow until the unit is active again.
        B. get zero gradient and stay as they are.
        C. shrink toward zero.
        D. change sign at every step.
    q3. The largest value of the logistic sigmoid's derivative, σ'(z) = σ(z)(1 − σ(z)), is
        A. 1/4, at z = 0.
        B. 1/2, at z = 0.
        C. 1, at z = 0.
        D. unbounded: it grows as z → ∞.
    q4. For f(w) = X w, with X of shape (n, d) and w of shape (d,), the Jacobian ∂f/∂w
    (output shape × input shape) has shape
        A. (d, n)    B. (n,)    C. (d,)    D. (n, d)
    q9. A single ReLU unit ŷ = ReLU(w·x + b) cannot represent XOR on {0, 1}² because
        A. the inputs where it is positive form a half-plane, and no half-plane holds
           (0, 1) and (1, 0) without also holding (0, 0) or (1, 1).
        B. ReLU is not differentiable at 0.
        C. four points need four parameters, and it has three.
        D. its gradient is 0 for negative pre-activations, so training cannot find w and b.
    q10. Adam divides its moving averages by 1 − β1**t and 1 − β2**t (bias correction)
    because
        A. the averages start at 0, so in the first steps they are biased toward 0.
        B. each gradient is a biased estimate of the true gradient.
        C. it keeps the effective learning rate from growing over time.
        D. it makes the update invariant to the scale of the loss.
    """
    raise NotImplementedError

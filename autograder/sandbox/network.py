"""A ``torch.nn.Module`` as plain data, and back, for the items whose answer is a network.

A network cannot cross the sandbox as data, and measuring it where the student's code runs
measures nothing: that process can replace the measuring code. So the student's process only
*describes* the network its function returned (:func:`describe`: a ``torch.fx`` trace of its
``forward``, the layers it calls with their constructor arguments, its tensors as arrays), and
a process that never ran student code *rebuilds* it from that data (:func:`rebuild`) with
nothing but the allow-list below, then measures it (``autograder/probes/``).

The data, plain for ``autograder.codec``::

    {"graph": [[op, target, args, kwargs], ...],   # the forward in train mode, one node a row
     "eval_graph": None or [...],                  # in eval mode, where forward reads self.training
     "layers": {path: [layer name, {constructor argument: value}]},
     "tensors": {name: array}}                     # the state_dict: parameters, buffers, constants

A node's op is ``placeholder`` (the input, first and only once), ``get_attr`` (a tensor by
name), ``call_module`` (a layer by path), ``call_function`` (a name of FUNCTIONS),
``call_method`` (a name of METHODS) or ``output`` (last); an argument that is an earlier node's
value is ``{"node": index}``, a slice ``{"slice": [start, stop, step]}``, ``...``
``{"ellipsis": True}``. Floating tensors cross as float32 and the rebuilt network is float32.

This module names the allow-list without importing torch (the contract lists it); its
functions import torch, and run only where torch is (the zygote's children, tests, bench).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import numbers

# ---------------------------------------------------------------- the allow-list

LAYERS = (      # torch.nn.<name>, with the constructor arguments the layer keeps as attributes
    "Conv1d", "Conv2d", "Linear",
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softplus",
    "Softmax", "LogSoftmax",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm",
    "Dropout", "Dropout1d", "Dropout2d", "AlphaDropout",
    "Flatten", "Unflatten", "Identity", "ZeroPad2d",
)
FUNCTIONS = (
    "torch.flatten", "torch.reshape", "torch.cat", "torch.stack", "torch.squeeze",
    "torch.unsqueeze", "torch.transpose", "torch.permute", "torch.add", "torch.sub", "torch.mul",
    "torch.matmul", "torch.mean", "torch.sum", "torch.amax", "torch.clamp", "torch.exp",
    "torch.abs", "torch.relu", "torch.sigmoid", "torch.tanh", "torch.softmax",
    "torch.log_softmax", "torch.max_pool2d", "torch.dropout",
    "torch.nn.functional.relu", "torch.nn.functional.relu6", "torch.nn.functional.leaky_relu",
    "torch.nn.functional.elu", "torch.nn.functional.gelu", "torch.nn.functional.silu",
    "torch.nn.functional.sigmoid", "torch.nn.functional.tanh", "torch.nn.functional.softplus",
    "torch.nn.functional.softmax", "torch.nn.functional.log_softmax",
    "torch.nn.functional.max_pool1d", "torch.nn.functional.max_pool2d",
    "torch.nn.functional.avg_pool1d", "torch.nn.functional.avg_pool2d",
    "torch.nn.functional.adaptive_avg_pool1d", "torch.nn.functional.adaptive_avg_pool2d",
    "torch.nn.functional.adaptive_max_pool2d", "torch.nn.functional.dropout",
    "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d",
    "torch.nn.functional.linear", "torch.nn.functional.conv1d", "torch.nn.functional.conv2d",
    "torch.nn.functional.pad", "torch.nn.functional.layer_norm",
    "operator.add", "operator.sub", "operator.mul", "operator.truediv", "operator.floordiv",
    "operator.neg", "operator.matmul", "operator.getitem", "builtins.getattr",
)
METHODS = (     # of a tensor
    "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "size", "dim",
    "contiguous", "permute", "transpose", "squeeze", "unsqueeze", "expand", "expand_as", "float",
    "relu", "sigmoid", "tanh", "softmax", "log_softmax", "mean", "sum", "amax", "clamp", "exp",
    "abs", "neg", "add", "sub", "mul", "div", "matmul",
)
ATTRIBUTES = ("shape", "ndim")      # builtins.getattr(tensor, name): what fx records for x.shape
CONVOLUTIONS = ("Conv1d", "Conv2d", "torch.nn.functional.conv1d", "torch.nn.functional.conv2d")
DROPOUTS = ("Dropout", "Dropout1d", "Dropout2d", "AlphaDropout")

# ---------------------------------------------------------------- bounds

MAX_NODES = 256             # in each graph
MAX_LAYERS = 128
MAX_BYTES = 8 * 2**20       # of all the tensors: two million float32 numbers, ~11 MB on the wire
MAX_TEXT = 200              # characters of a name or a string argument
MAX_DEPTH = 6               # nesting of an argument (tuples of slices, say)

OPS = ("placeholder", "get_attr", "call_module", "call_function", "call_method", "output")
_SKIPPED = ("self", "device", "dtype")     # constructor parameters that are not the layer's shape


class Refused(ValueError):
    """The network cannot cross as data, or the data is not a network the allow-list builds:
    why, naming the layer, function or value."""


def listing(names) -> str:
    """``torch.{flatten, reshape}; operator.add``: the names grouped by module."""
    groups: dict[str, list[str]] = {}
    for name in names:
        module, _, last = name.rpartition(".")
        groups.setdefault(module, []).append(last)
    return "; ".join(", ".join(last) if not module else f"{module}.{last[0]}" if len(last) == 1
                     else f"{module}.{{{', '.join(last)}}}" for module, last in groups.items())


def _listing(kind: str, names) -> str:
    return f"allowed {kind}: {listing(names)}"


def _resolve(name: str):
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@functools.lru_cache(maxsize=None)
def _function_names() -> dict:
    """FUNCTIONS by the id of the object each names (fx records the object called)."""
    return {id(_resolve(name)): name for name in FUNCTIONS}


@functools.lru_cache(maxsize=None)
def _parameters(cls) -> tuple:
    """The constructor parameters of layer class ``cls`` that say its shape and behaviour."""
    return tuple(name for name, p in inspect.signature(cls.__init__).parameters.items()
                 if name not in _SKIPPED and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))


def _attribute(obj, name):
    """``builtins.getattr`` as a rebuilt graph may call it: ATTRIBUTES of a tensor only."""
    import torch
    if not isinstance(obj, torch.Tensor) or name not in ATTRIBUTES:
        raise Refused(f"getattr({type(obj).__name__}, {name!r}): {_listing('attributes', ATTRIBUTES)} "
                      "of a tensor")
    return getattr(obj, name)


def _text(value) -> str:
    return str(value)[:MAX_TEXT]


def _qualified(obj) -> str:
    """``torch.sin``, ``torch.nn.modules.rnn.LSTM``: what a student would recognise."""
    module = getattr(obj, "__module__", None) or type(obj).__module__
    name = getattr(obj, "__qualname__" if isinstance(obj, type) else "__name__", None)
    return f"{module}.{name or type(obj).__name__}"


# ---------------------------------------------------------------- the student's side

def describe(net) -> dict:
    """``net`` as data (the module docstring's form); Refused says why it cannot be. Traced in
    both modes where its own code runs in the trace: a forward that reads ``self.training``
    (``F.dropout(x, p, self.training)``) gives two graphs, and the rebuilt network runs the
    one of its mode. Where the tracer enters only ``nn.Sequential`` (whose forward reads no
    mode), one trace serves both."""
    import torch
    if not isinstance(net, torch.nn.Module):
        raise Refused(f"returned {_qualified(type(net))}, not a torch.nn.Module")
    tracer = torch.fx.Tracer()
    entered = [m for name, m in net.named_modules() if m is net or not tracer.is_leaf_module(m, name)]
    modes = (True,) if all(type(m) is torch.nn.Sequential for m in entered) else (True, False)
    traced = {}
    was_training = net.training
    try:
        for mode in modes:
            net.train(mode)
            try:           # the graph alone: a GraphModule's code generation would double the cost
                traced[mode] = torch.fx.Tracer().trace(net)
            except Exception as exc:  # noqa: BLE001 - the student's forward, traced
                raise Refused(f"torch.fx cannot trace its forward ({type(exc).__name__}: {_text(exc)}); "
                              "write forward as straight-line tensor code, without if or for on "
                              "tensor values") from None
    finally:
        net.train(was_training)
    graphs = {mode: _graph(g) for mode, g in traced.items()}
    layers = {path: spec for g in traced.values() for path, spec in _layers(net, g).items()}
    eval_graph = graphs.get(False, graphs[True])
    data = {"graph": graphs[True], "eval_graph": None if eval_graph == graphs[True] else eval_graph,
            "layers": layers, "tensors": _tensors(net, layers, [n for g in traced.values() for n in g.nodes])}
    if len(data["layers"]) > MAX_LAYERS:
        raise Refused(f"it calls {len(data['layers'])} layers; at most {MAX_LAYERS} cross")
    return data


def _graph(graph) -> list:
    names = _function_names()
    index: dict = {}
    rows = []
    for i, node in enumerate(graph.nodes):
        index[node] = i
        if node.op == "call_function":
            target = names.get(id(node.target))
            if target is None:
                raise Refused(f"its forward calls {_qualified(node.target)}, which the grader cannot "
                              f"rebuild; {_listing('functions', FUNCTIONS)}")
        elif node.op == "call_method":
            target = node.target
            if target not in METHODS:
                raise Refused(f"its forward calls the tensor method .{_text(target)}(), which the grader "
                              f"cannot rebuild; {_listing('methods', METHODS)}")
        else:
            target = None if node.op in ("placeholder", "output") else str(node.target)
        where = f"node {i} ({node.op} {target})"
        rows.append([node.op, target, _argument(tuple(node.args), index, where),
                     {str(k): _argument(v, index, where) for k, v in node.kwargs.items()}])
    if len(rows) > MAX_NODES:
        raise Refused(f"its forward has {len(rows)} operations; at most {MAX_NODES} cross")
    return rows


def _argument(value, index: dict, where: str, depth: int = 0):
    """An fx argument as data: earlier nodes by index; numbers, strings, None, tuples, lists,
    slices and ``...``; anything else refused."""
    import torch
    if depth > MAX_DEPTH:
        raise Refused(f"{where}: an argument nested too deeply")
    if isinstance(value, torch.fx.Node):
        return {"node": index[value]}
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):          # numpy's integers too
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Refused(f"{where}: a string argument longer than {MAX_TEXT} characters")
        return str(value)
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, slice):
        return {"slice": [_argument(v, index, where, depth + 1) for v in (value.start, value.stop, value.step)]}
    if isinstance(value, (tuple, list)):              # torch.Size too
        items = [_argument(v, index, where, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    raise Refused(f"{where}: an argument of type {_qualified(type(value))}, which cannot cross as "
                  "data (numbers, strings, tuples and slices can)")


def _layers(net, graph) -> dict:
    import torch
    allowed = {getattr(torch.nn, name): name for name in LAYERS}
    found = {}
    for node in graph.nodes:
        if node.op != "call_module" or node.target in found:
            continue
        layer = net.get_submodule(node.target)
        name = allowed.get(type(layer))
        if name is None:
            raise Refused(f"layer {_text(node.target)} is {_qualified(type(layer))}, which the grader cannot "
                          f"rebuild; {_listing('layers', ['torch.nn.' + n for n in LAYERS])}")
        found[str(node.target)] = [name, _constructor_arguments(layer, node.target)]
    return found


def _constructor_arguments(layer, path: str) -> dict:
    """What the layer was built with, read back from the attributes it keeps them in."""
    import torch
    out = {}
    for name in _parameters(type(layer)):
        value = getattr(layer, name)
        if name == "bias" and (value is None or isinstance(value, torch.Tensor)):
            value = value is not None
        out[name] = _argument(value, {}, f"layer {_text(path)}", 1)
    return out


def _tensors(net, layers: dict, nodes) -> dict:
    """The tensors the graphs use: each layer's state_dict and what get_attr nodes read (a
    parameter, a buffer, or a constant the tracer set on the network), as arrays, float32 or
    int64; their size checked before any is copied."""
    import torch
    state = {f"{path}.{key}": t for path in layers for key, t in net.get_submodule(path).state_dict().items()}
    for node in nodes:
        if node.op == "get_attr":
            state[str(node.target)] = functools.reduce(getattr, str(node.target).split("."), net)
    for name, tensor in state.items():
        if not isinstance(tensor, torch.Tensor) or tensor.is_complex() or tensor.device.type == "meta":
            raise Refused(f"tensor {_text(name)} cannot cross as data (a real tensor on the CPU can)")
    _check_size(sum(t.numel() * (4 if t.is_floating_point() else 8) for t in state.values()))
    return {name: (t.float() if t.is_floating_point() else t.long()).detach().cpu().contiguous().numpy()
            for name, t in state.items()}


def _check_size(size: int) -> None:
    """``size``: the bytes of a network's tensors, as float32 (int64 for integers)."""
    if size > MAX_BYTES:
        raise Refused(f"its tensors hold {size} bytes (as float32); at most {MAX_BYTES} cross "
                      f"(about {MAX_BYTES // 4} numbers)")


# ---------------------------------------------------------------- the measuring side

def rebuild(data) -> "Rebuilt":
    """The network ``data`` describes, built from the allow-list only (float32, on the CPU, in
    train mode); Refused says what in the data is not allowed or does not fit."""
    import torch
    if not isinstance(data, dict) or set(data) != {"graph", "eval_graph", "layers", "tensors"}:
        raise Refused("not a network description (what the grader's network probe sends)")
    tensors = _checked_tensors(data["tensors"])
    layers, where = _built_layers(data["layers"], tensors)
    graph = _checked_graph(data["graph"], where, tensors)
    eval_graph = graph if data["eval_graph"] is None else _checked_graph(data["eval_graph"], where, tensors)
    return Rebuilt(torch.nn.ModuleList(layers), where,
                   {k: torch.from_numpy(v) for k, v in tensors.items()}, graph, eval_graph)


def _checked_tensors(raw) -> dict:
    """The tensors as float32 (int64 for integers), their size checked before any is copied."""
    import numpy as np
    if not isinstance(raw, dict) or not all(isinstance(k, str) and len(k) <= MAX_TEXT for k in raw):
        raise Refused("its tensors are not a mapping of names to arrays")
    for name, array in raw.items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            raise Refused(f"tensor {_text(name)} is not a real array")
    _check_size(sum(a.size * (4 if a.dtype.kind == "f" else 8) for a in raw.values()))
    return {name: np.array(a, dtype=np.float32 if a.dtype.kind == "f" else np.int64, order="C")
            for name, a in raw.items()}


def _plain(value, depth: int = 0) -> bool:
    """A constructor argument: a number, a short string, None, or a short tuple of them."""
    if value is None or type(value) in (bool, int, float):
        return True
    if type(value) is str:
        return len(value) <= 32
    return type(value) in (tuple, list) and depth < 2 and len(value) <= 8 \
        and all(_plain(v, depth + 1) for v in value)


def _built_layers(raw, tensors: dict) -> tuple[list, dict]:
    """The layers, each built on the meta device, checked against its tensors' shapes, then
    made real with those tensors: no argument allocates more than the tensors that came."""
    import torch
    if not isinstance(raw, dict) or len(raw) > MAX_LAYERS:
        raise Refused(f"its layers are not a mapping of at most {MAX_LAYERS} paths")
    built, where = [], {}
    for path, spec in raw.items():
        name = spec[0] if isinstance(spec, list) and spec else spec
        if not (isinstance(path, str) and len(path) <= MAX_TEXT and isinstance(spec, list) and len(spec) == 2
                and name in LAYERS and isinstance(spec[1], dict)):
            raise Refused(f"layer {_text(path)} is {_text(name)}, which the grader cannot rebuild; "
                          f"{_listing('layers', ['torch.nn.' + n for n in LAYERS])}")
        if not all(isinstance(k, str) and _plain(v) for k, v in spec[1].items()):
            raise Refused(f"layer {_text(path)} (torch.nn.{name}): constructor arguments must be numbers, "
                          f"short strings, None or tuples of them, got {_text(spec[1])}")
        cls = getattr(torch.nn, name)
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in spec[1].items()}
        takes_device = "device" in inspect.signature(cls.__init__).parameters
        try:
            layer = cls(**kwargs, **({"device": "meta"} if takes_device else {}))
        except Exception as exc:  # noqa: BLE001 - the arguments are the student's
            raise Refused(f"layer {_text(path)}: torch.nn.{name}(**{_text(kwargs)}) fails: "
                          f"{type(exc).__name__}: {_text(exc)}") from None
        state = _layer_state(layer, path, name, tensors)
        if takes_device:
            layer = layer.to_empty(device="cpu")
        layer.load_state_dict(state, strict=True)
        where[path] = len(built)
        built.append(layer)
    return built, where


def _layer_state(layer, path: str, name: str, tensors: dict) -> dict:
    import torch
    state = {}
    for key, want in layer.state_dict().items():
        got = tensors.get(f"{path}.{key}")
        if got is None or tuple(got.shape) != tuple(want.shape):
            raise Refused(f"layer {_text(path)} (torch.nn.{name}) needs {key} of shape {tuple(want.shape)}, "
                          f"got {None if got is None else tuple(got.shape)}")
        state[key] = torch.from_numpy(got)
    return state


def _checked_graph(rows, where: dict, tensors: dict) -> list:
    """``rows`` checked node by node: ops, targets from the allow-list, references to earlier
    nodes only; the input first and only there, the output last."""
    if not isinstance(rows, list) or not 2 <= len(rows) <= MAX_NODES:
        raise Refused(f"its graph is not a list of 2 to {MAX_NODES} nodes")
    for i, row in enumerate(rows):
        if not (isinstance(row, list) and len(row) == 4 and row[0] in OPS and isinstance(row[2], (list, tuple))
                and isinstance(row[3], dict) and (row[1] is None or isinstance(row[1], str))):
            raise Refused(f"node {i} is not [op, target, args, kwargs] with an op of {', '.join(OPS)}")
        op, target = row[0], row[1]
        if (op == "placeholder") != (i == 0) or (op == "output") != (i == len(rows) - 1):
            raise Refused("its forward must take one input (the images) and return once")
        known = {"placeholder": target is None, "output": target is None and len(row[2]) == 1 and not row[3],
                 "get_attr": target in tensors, "call_module": target in where,
                 "call_function": target in FUNCTIONS, "call_method": target in METHODS}[op]
        if not known:
            listing = {"call_function": _listing("functions", FUNCTIONS),
                       "call_method": _listing("methods", METHODS)}.get(op, "it names nothing the network holds")
            raise Refused(f"node {i} ({op} {_text(target)}) cannot be rebuilt; {listing}")
        _check_argument(row[2], i, 0)
        for key, value in row[3].items():
            if not isinstance(key, str):
                raise Refused(f"node {i}: a keyword argument's name is not a string")
            _check_argument(value, i, 1)
    return rows


def _check_argument(value, before: int, depth: int) -> None:
    """``value`` is data ``_argument`` makes, its nodes among the ``before`` earlier ones."""
    if depth > MAX_DEPTH:
        raise Refused("an argument nested too deeply")
    if value is None or type(value) in (bool, int, float) or (type(value) is str and len(value) <= MAX_TEXT):
        return
    if type(value) in (list, tuple):
        for v in value:
            _check_argument(v, before, depth + 1)
        return
    if type(value) is dict and len(value) == 1:
        (key, inner), = value.items()
        if key == "node" and type(inner) is int and 0 <= inner < before:
            return
        if key == "ellipsis" and inner is True:
            return
        if key == "slice" and type(inner) is list and len(inner) == 3:
            return _check_argument(inner, before, depth + 1)
    raise Refused(f"an argument that is not data a graph may hold: {_text(value)}")


def ancestors(rows: list) -> set[int]:
    """The nodes of ``rows`` (a checked graph) whose values the output depends on."""
    seen: set[int] = set()
    todo = [len(rows) - 1]
    while todo:
        i = todo.pop()
        if i not in seen:
            seen.add(i)
            todo += _references(rows[i][2]) + _references(list(rows[i][3].values()))
    return seen - {len(rows) - 1}


def _references(value) -> list[int]:
    if type(value) in (list, tuple):
        return [i for v in value for i in _references(v)]
    if type(value) is dict:
        return [value["node"]] if "node" in value else _references(value.get("slice", []))
    return []


class Rebuilt:
    """A rebuilt network: its layers (a ModuleList, which ``train`` and ``eval`` reach) and its
    graphs, interpreted node by node; nothing in it came from the student but data."""

    def __init__(self, layers, where: dict, tensors: dict, graph: list, eval_graph: list):
        self.layers, self.where, self.tensors = layers, where, tensors
        self.graphs = {True: graph, False: eval_graph}
        self.functions = {name: _resolve(name) for name in FUNCTIONS}
        self.functions["builtins.getattr"] = _attribute

    @property
    def training(self) -> bool:
        return self.layers.training

    def train(self, mode: bool = True) -> "Rebuilt":
        self.layers.train(mode)
        return self

    def eval(self) -> "Rebuilt":
        return self.train(False)

    def graph(self, training: bool | None = None) -> list:
        """The graph of the current mode (or of ``training``)."""
        return self.graphs[self.training if training is None else training]

    def kind(self, row: list) -> str | None:
        """What a node calls, by its allow-list name: a layer's (``"Conv2d"``) or a function's."""
        if row[0] == "call_module":
            return type(self.layers[self.where[row[1]]]).__name__
        return row[1] if row[0] == "call_function" else None

    def layer(self, row: list):
        return self.layers[self.where[row[1]]]

    def __call__(self, x, perturb=frozenset()):
        """The output for ``x`` in the current mode; ``perturb``: nodes whose values get
        standard normal noise added (does the output depend on them?), drawn from a generator of
        its own, so that dropout masks drawn after a seed are the same with noise or without."""
        import torch
        noise = torch.Generator().manual_seed(0)      # apart from the global one the dropouts draw from
        values: list = [x]
        for i, (op, target, args, kwargs) in enumerate(self.graph()[1:], start=1):
            args = self._value(args, values)
            kwargs = {k: self._value(v, values) for k, v in kwargs.items()}
            if op == "output":
                return args[0]
            if op == "get_attr":
                value = self.tensors[target]
            elif op == "call_module":
                value = self.layers[self.where[target]](*args, **kwargs)
            elif op == "call_function":
                value = self.functions[target](*args, **kwargs)
            elif isinstance(args[0], torch.Tensor):
                value = getattr(args[0], target)(*args[1:], **kwargs)
            else:
                raise TypeError(f".{target}() called on a {type(args[0]).__name__}, not a tensor")
            if i in perturb and isinstance(value, torch.Tensor) and value.is_floating_point():
                value = value + torch.randn(value.shape, generator=noise, dtype=value.dtype)
            values.append(value)
        raise AssertionError("a checked graph ends with its output")

    def _value(self, arg, values):
        if type(arg) in (list, tuple):
            items = [self._value(v, values) for v in arg]
            return items if type(arg) is list else tuple(items)
        if type(arg) is not dict:
            return arg
        if "node" in arg:
            return values[arg["node"]]
        if "slice" in arg:
            return slice(*self._value(arg["slice"], values))
        return Ellipsis

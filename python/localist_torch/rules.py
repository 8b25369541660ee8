"""Rules at evaluation time, and the compliance check, as `localist check` computes them
(src/localist/{rules,selectors,ruleHook,compliance,metrics}.ts; docs/math.md#rules):

    python3 -m localist_torch.rules RUN --rules FILE [--split valid|test] [--windows 16]
        [--dial λ] [--schedule uniform|linear|cubic|quintic] [--data DATA] [--device …] [--json]

A rule "queries matching a selector attend to keys matching a selector, in these layers and heads,
with strength s" is one more additive log-bias on the attention logits: include adds +s on the
selected keys S(i), exclude adds −s on the keys j ≤ i outside S(i). The model runs with every rule
and the dial in place (anchors visible), and per rule, over the rows it matches (window, layer and
head in scope, a query with targets the head can see):

    fidelity   PF(i) = Σ_{j ∈ S(i)} a_ij
    certified  1 − 1/(1 + (n_in/n_out) e^{G_i − Δ_i})     (G_i the gap of the total bias)
    required   s* = max_i max(0, Δ_i + ln(n_out/n_in) + ln(p/(1 − p)) − (G_i − s))

A rule passes when it matched a row and its worst row reaches minFidelity. Regular expressions are
Python's `re` (the same as JavaScript's for the usual classes, alternations and anchors).
"""
import argparse
import json
import math
import re
import sys

import numpy as np
import torch

from . import checkpoint, tokens
from .anchors import anchor_flags
from .localist import block_ids, dial_bias, dial_matrix
from .model import LocalistTransformer, local_head_count, window_of

MAX_STRENGTH = 1000
FIELDS = ("id", "query", "key", "layers", "heads", "strength", "alpha", "mode", "minFidelity")
UNARY = ("block", "token", "regex", "anchor", "all")
RELATIVE = ("previous", "offset", "relation")


class RuleError(ValueError):
    """A rules file that does not fit the model (one line, naming the rule)."""


def _names(value):
    return [value] if isinstance(value, str) else list(value)


def compile_selector(spec, context, role, where):
    """(kind, test): unary test(tokens, p) or relative test(tokens, i, j)."""
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in UNARY + RELATIVE:
        raise RuleError(f"{where}: {role} must have exactly one of {', '.join(UNARY + RELATIVE)}")
    form, value = next(iter(spec.items()))
    where = f"{where}, {role} selector"
    vocabulary = context["vocabulary"]
    if form == "all":
        return "unary", lambda tokens, p: True
    if form == "block":
        blocks = context.get("blocks")
        if blocks is None:
            raise RuleError(f"{where}: selects by block, but the model has no blocks (train it with --localist)")
        wanted = set()
        for name in _names(value):
            if name not in blocks["names"]:
                raise RuleError(f"{where}: unknown block '{name}'; the blocks are {', '.join(blocks['names'])}")
            wanted.add(blocks["names"].index(name))
        return "unary", lambda tokens, p: blocks["of"](tokens[p], p) in wanted
    if form in ("token", "regex"):
        if form == "token":
            chosen = set()
            for text in _names(value):
                if text not in vocabulary:
                    raise RuleError(f"{where}: token '{text}' is not in the model's vocabulary of {len(vocabulary)} tokens")
                chosen.add(vocabulary.index(text))
            table = np.array([i in chosen for i in range(len(vocabulary))])
        else:
            pattern = re.compile(value)
            table = np.array([pattern.search(text) is not None for text in vocabulary])
            if not table.any():
                raise RuleError(f"{where}: /{value}/ matches no token of the model's vocabulary")
        return "unary", lambda tokens, p: bool(table[tokens[p]])
    if form == "anchor":
        anchor = context.get("anchor")
        if anchor is None:
            raise RuleError(f"{where}: selects anchors, but the model has none (train it with --anchors K)")
        return "unary", anchor
    if role == "query":
        raise RuleError(f"{where}: {form} selects keys relative to a query; a query selector must be a block, token, regex, anchor or all")
    if form == "previous":
        return "relative", lambda tokens, i, j: i - value <= j < i
    if form == "offset":
        return "relative", lambda tokens, i, j: j == i + value
    if value == "same-token":
        return "relative", lambda tokens, i, j: j < i and tokens[j] == tokens[i]
    return "relative", lambda tokens, i, j: 1 <= j <= i and tokens[j - 1] == tokens[i] and j - 1 < i


def selects(selector, tokens, query, key):
    kind, test = selector
    return test(tokens, key) if kind == "unary" else test(tokens, query, key)


def selector_context(config, structure, anchors, vocabulary):
    """What a rule of the model may name: its tokens, its blocks, its anchors."""
    context = {"vocabulary": vocabulary}
    if structure is not None:
        blocks = structure["blocks"]
        if blocks["kind"] == "tokens":
            names, of = blocks["names"], (lambda token, p: blocks["tokenBlocks"][token])
        else:
            count = math.ceil(config["context"] / blocks["width"])
            names = [f"window {b}" for b in range(count)]
            of = lambda token, p: p // blocks["width"]  # noqa: E731
        context["blocks"] = {"names": names, "of": of}
    if anchors is not None:
        if anchors["kind"] == "sinks":
            context["anchor"] = lambda tokens, p: p < anchors["count"]
        else:
            chosen = set(anchors["tokens"])
            context["anchor"] = lambda tokens, p: int(tokens[p]) in chosen
    return context


def compile_rules(value, config, context, source="rules"):
    """Rules from a rules file's parsed JSON, compiled for the model."""
    if not isinstance(value, dict) or not isinstance(value.get("rules"), list) or not value["rules"]:
        raise RuleError(f'{source} (expected {{"rules": [{{"id": …, "query": …, "key": …, "minFidelity": …}}, …]}})')
    layers, heads = config["layers"], config["heads"]
    compiled, seen = [], set()
    for i, spec in enumerate(value["rules"]):
        where = f"{source}: rule '{spec.get('id')}' (rules[{i}])"
        unknown = [f for f in spec if f not in FIELDS]
        if unknown:
            raise RuleError(f"{where}: unknown field '{unknown[0]}'; a rule has {', '.join(FIELDS)}")
        if spec["id"] in seen:
            raise RuleError(f"{where}: another rule has the id '{spec['id']}'; ids must differ")
        seen.add(spec["id"])
        if ("strength" in spec) == ("alpha" in spec):
            raise RuleError(f'{where}: give the strength as "strength" (λ·m) or as "alpha" (PASTA\'s α), once')
        strength = spec["strength"] if "strength" in spec else -math.log(spec["alpha"])
        if not 0 <= strength <= MAX_STRENGTH:
            raise RuleError(f"{where}: strength {strength} is outside [0, {MAX_STRENGTH}]")
        scope = np.zeros((layers, heads), bool)
        chosen_layers = spec.get("layers", list(range(layers)))
        for entry in spec.get("heads", list(range(heads))):
            pairs = [tuple(entry)] if isinstance(entry, list) else [(layer, entry) for layer in chosen_layers]
            for layer, head in pairs:
                if layer >= layers or head >= heads:
                    raise RuleError(f"{where}: layer {layer}, head {head} does not exist in a {layers}-layer, {heads}-head model")
                scope[layer, head] = True
        named = f"{source}: rule '{spec['id']}'"
        compiled.append({
            "id": spec["id"], "mode": spec.get("mode", "include"), "strength": float(strength),
            "minFidelity": spec["minFidelity"], "scope": scope,
            "query": compile_selector(spec["query"], context, "query", named),
            "key": compile_selector(spec["key"], context, "key", named),
        })
    return compiled


def match_rules(rules, window):
    """Per rule: (queries, keys) — matched query positions with a non-empty S(i), and S(i)."""
    t = len(window)
    found = []
    for rule in rules:
        queries, keys = [], []
        for i in range(t):
            if not selects(rule["query"], window, i, i):
                continue
            chosen = [j for j in range(i + 1) if selects(rule["key"], window, i, j)]
            if chosen:
                queries.append(i)
                keys.append(chosen)
        found.append((queries, keys))
    return found


def rule_bias(rules, matches, layers, heads, t):
    """(L, H, T, T) float32: the sum of every rule's bias over one window."""
    bias = np.zeros((layers, heads, t, t), np.float32)
    for rule, (queries, keys) in zip(rules, matches):
        for layer in range(layers):
            for head in range(heads):
                if not rule["scope"][layer, head]:
                    continue
                for i, chosen in zip(queries, keys):
                    if rule["mode"] == "include":
                        bias[layer, head, i, chosen] += np.float32(rule["strength"])
                    else:
                        others = [j for j in range(i + 1) if j not in set(chosen)]
                        bias[layer, head, i, others] -= np.float32(rule["strength"])
    return bias


def _leak_bound(n_in, n_out, spread, strength):
    if n_out == 0:
        return 0.0
    return 1.0 / (1.0 + (n_in / n_out) * math.exp(strength - spread))


def _row(weights, scores, allowed, relevant, bias):
    """Fidelity, leak bound, n_in, n_out, spread and bias gap of one row (metrics.ts rowMetrics)."""
    fidelity, n_in, n_out = 0.0, 0, 0
    max_out = bias_out = -math.inf
    min_in = bias_in = math.inf
    for j in np.nonzero(allowed)[0]:
        if relevant[j]:
            n_in += 1
            fidelity += float(weights[j])
            min_in = min(min_in, float(scores[j]))
            bias_in = min(bias_in, float(bias[j]))
        else:
            n_out += 1
            max_out = max(max_out, float(scores[j]))
            bias_out = max(bias_out, float(bias[j]))
    spread = -math.inf if n_out == 0 else max_out - min_in
    gap = bias_in - bias_out if n_out > 0 else 0.0
    return min(1.0, fidelity), _leak_bound(n_in, n_out, spread, gap), n_in, n_out, spread, gap


def _required(n_in, n_out, spread, other_gap, p):
    if n_out == 0 or p <= 0:
        return 0.0
    if p >= 1:
        return math.inf
    need = spread + math.log(n_out / n_in) + math.log(p / (1 - p))
    return max(0.0, need - other_gap)


def attention_maps(model, config, window, bias_table, structure, anchors, dial, device):
    """Dense weights and scores (L, H, T, T) of one window with the dial, the rules (bias_table
    (L, H, T, T)) and the anchors in place; and the key-visibility table (H, T, T)."""
    t = len(window)
    x = np.asarray(window, np.int64)[None]
    local = local_head_count(config)
    rules = torch.as_tensor(bias_table, device=device)
    dial_part = dial_bias(structure, config, x, dial, device)[0] if structure is not None else None

    def bias(layer):
        total = rules[layer][None]
        if dial_part is not None:
            d = dial_part(layer)
            total = total + torch.cat([d[g] for g in ("local", "global") if d[g] is not None], dim=1)
        return {"local": total[:, :local], "global": total[:, local:]}

    visible = None
    if anchors is not None and local > 0:
        visible = torch.as_tensor(anchor_flags(anchors, x), device=device)
    seen = []
    with torch.no_grad():
        model(torch.as_tensor(x, device=device), bias=bias, observe=lambda layer, s: seen.append(s), visible=visible)
    n = torch.arange(t, device=device)
    causal = (n[None, :] < n[:, None]) if config["strict"] else (n[None, :] <= n[:, None])
    beyond = (n[None, :] < n[:, None] - window_of(config)) if local else None
    weights, scores = [], []
    for layer in seen:
        w, s = [], []
        if "local" in layer:
            lw, ls = layer["local"]["weights"][0], layer["local"]["scores"][0]
            if "far" in layer["local"]:
                lw = lw + layer["local"]["far"]["weights"][0] * beyond
                ls = torch.where(beyond, layer["local"]["far"]["scores"][0], ls)
            w.append(lw)
            s.append(ls)
        if "global" in layer:
            w.append(layer["global"]["weights"][0])
            s.append(layer["global"]["scores"][0])
        weights.append(torch.cat(w).double().cpu().numpy())
        scores.append(torch.cat(s).double().cpu().numpy())
    allowed = np.zeros((config["heads"], t, t), bool)
    for h in range(config["heads"]):
        row = causal.clone()
        if h < local:
            row &= (n[:, None] - n[None, :]) <= window_of(config)
            if visible is not None:
                row |= beyond & visible[0][None, :].bool()
        allowed[h] = row.cpu().numpy()
    return np.stack(weights), np.stack(scores), allowed


def check_rules(model, config, windows, rules, structure=None, anchors=None, dial=None, device=torch.device("cpu")):
    """The compliance report of `rules` over token windows: per rule, the counts, the measured
    and certified fidelity (mean and worst), the required strength s*, and pass/fail."""
    layers, heads = config["layers"], config["heads"]
    local = local_head_count(config)
    totals = [{"queries": 0, "rows": 0, "unreachable": 0, "fidelity": 0.0, "certified": 0.0, "worstFidelity": math.inf,
               "worstCertified": math.inf, "required": 0.0} for _ in rules]
    if dial is None:
        dial = torch.zeros((layers, heads))
    for window in windows:
        t = len(window)
        matches = match_rules(rules, window)
        table = rule_bias(rules, matches, layers, heads, t)
        weights, scores, allowed = attention_maps(model, config, window, table, structure, anchors, dial, device)
        # The total bias the bound sees: every rule's and the dial's; none on keys beyond a local window.
        total = table.copy()
        if structure is not None:
            ids = block_ids(structure["blocks"], np.asarray(window)[None])[0]
            g = structure["routing"]["blocks"]
            targets = np.asarray(structure["routing"]["targets"]).reshape(heads, g, g)
            for layer in range(layers):
                for h in range(heads):
                    strength = np.float32(float(dial[layer][h]) * structure["margin"])
                    if strength != 0:
                        total[layer, h] -= np.where(targets[h][ids[:, None], ids[None, :]] == 1, 0, strength).astype(np.float32)
        if local:
            n = np.arange(t)
            total[:, :local] *= ~(n[None, :] < n[:, None] - window_of(config))
        for r, (rule, (queries, keys)) in enumerate(zip(rules, matches)):
            tot = totals[r]
            tot["queries"] += len(queries)
            for i, chosen in zip(queries, keys):
                for layer in range(layers):
                    for h in range(heads):
                        if not rule["scope"][layer, h]:
                            continue
                        ok = allowed[h, i]
                        relevant = np.zeros(t, bool)
                        relevant[chosen] = True
                        relevant &= ok
                        if not relevant.any():
                            tot["unreachable"] += 1
                            continue
                        fidelity, leak, n_in, n_out, spread, gap = _row(weights[layer, h, i], scores[layer, h, i], ok, relevant,
                                                                        total[layer, h, i])
                        tot["rows"] += 1
                        tot["fidelity"] += fidelity
                        tot["certified"] += 1 - leak
                        tot["worstFidelity"] = min(tot["worstFidelity"], fidelity)
                        tot["worstCertified"] = min(tot["worstCertified"], 1 - leak)
                        tot["required"] = max(tot["required"], _required(n_in, n_out, spread, gap - rule["strength"], rule["minFidelity"]))
    results = []
    for rule, tot in zip(rules, totals):
        n = tot["rows"] + tot["unreachable"]
        mean = (lambda x: math.nan if n == 0 else x / n)  # noqa: E731
        worst = (lambda x: math.nan if n == 0 else 0.0 if tot["unreachable"] > 0 else x)  # noqa: E731
        fidelity = {"mean": mean(tot["fidelity"]), "worst": worst(tot["worstFidelity"])}
        results.append({
            "id": rule["id"], "mode": rule["mode"], "strength": rule["strength"], "minFidelity": rule["minFidelity"],
            "queries": tot["queries"], "rows": tot["rows"], "unreachable": tot["unreachable"], "fidelity": fidelity,
            "certified": {"mean": mean(tot["certified"]), "worst": worst(tot["worstCertified"])},
            "requiredStrength": math.nan if n == 0 else math.inf if tot["unreachable"] > 0 else tot["required"],
            "passed": n > 0 and fidelity["worst"] >= rule["minFidelity"] - 1e-9,
        })
    return {"windows": len(windows), "tokens": sum(len(w) for w in windows), "rules": results,
            "passed": all(r["passed"] for r in results)}


def _json_safe(value):
    """JSON.stringify's rule: a non-finite number is written null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localist_torch.rules", description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--rules", required=True, help="the JSON rules file")
    parser.add_argument("--split", default="valid", choices=("valid", "test"))
    parser.add_argument("--windows", type=int, default=16)
    parser.add_argument("--dial", type=float, help="λ in every layer and head (a localist model)")
    parser.add_argument("--schedule", default="uniform", choices=("uniform", "linear", "cubic", "quintic"))
    parser.add_argument("--data", metavar="DATA", help="a prepared token folder instead of corpus.safetensors")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        saved = checkpoint.load(args.run)
        corpus = tokens.open_tokens(args.data, saved["tokenizer"]) if args.data else checkpoint.load_corpus(args.run)
        stored = saved["config"]
        config, structure, anchors = stored["model"], stored.get("localist"), stored.get("anchors")
        if args.dial is not None and structure is None:
            raise RuleError("--dial needs a localist model (trained with --localist)")
        vocabulary = json.loads(saved["tokenizer"].decode("utf-8"))["tokens"]
        with open(args.rules, encoding="utf-8") as handle:
            spec = json.load(handle)
        rules = compile_rules(spec, config, selector_context(config, structure, anchors, vocabulary), f"rules file {args.rules}")
    except (checkpoint.CheckpointError, tokens.TokenFileError, RuleError, OSError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    t = config["context"]
    ids = corpus[args.split]
    count = min(args.windows, len(ids) // t)
    windows = [np.asarray(ids[w * t : (w + 1) * t], np.int64) for w in range(count)]
    dial = dial_matrix(args.dial or 0.0, args.schedule, config["layers"], config["heads"])
    model = LocalistTransformer(config, saved["weights"]).eval()
    report = check_rules(model, config, windows, rules, structure, anchors, dial)
    if args.json:
        print(json.dumps(_json_safe({"model": args.run, "rulesFile": args.rules, **report}), indent=2))
    else:
        for r in report["rules"]:
            print(f"{r['id']}: {r['rows']} rows, fidelity mean {r['fidelity']['mean']:.4f} worst {r['fidelity']['worst']:.4f}, "
                  f"certified worst {r['certified']['worst']:.4f}, {'pass' if r['passed'] else 'FAIL'}")
    if not report["passed"]:
        failed = [r["id"] for r in report["rules"] if not r["passed"]]
        print(f"error: {len(failed)} of {len(report['rules'])} rules failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

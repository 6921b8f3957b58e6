"""report.py — one self-contained HTML file for any mlsysim result: the text
report's table at the top, the figures below (inline SVG drawn by matplotlib),
each with a caption saying what was simulated and which closed form is drawn
beside it. The page has no scripts and loads nothing: it opens offline.

    python3 -m mlsysim.report RESULT.json -o report.html   # what `mlsysim report` runs
    mlsysim.report.write(result, "report.html")             # result: SimulationResult or dict

Inputs: a simulate Result (`mlsysim -o json simulate ...`), `eval` or `serve`
JSON, a sweep's --jsonl rows, or the payload the CLI's --report hands over
({"mlsysim_report": 1, "command", "args", "text", "result"}).
"""

import html
import json
import os
import re
import sys
import tempfile

from . import _figures, _figures_analytic
from ._figstyle import to_svg

_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto; max-width: 1150px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
.meta { color: #666; font-size: 0.9em; }
pre.report { background: #f6f8fa; border: 1px solid #ddd; padding: 1em; overflow-x: auto; font-size: 12px;
             line-height: 1.35; }
figure { margin: 1.5em 0; border-top: 1px solid #eee; padding-top: 0.8em; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.4em; }
.warn { color: #a33; }
"""


def _classify(doc):
    """(kind, result, text, args) of any accepted input."""
    if isinstance(doc, dict) and doc.get("mlsysim_report"):
        inner = doc.get("result")
        kind = doc.get("command", "simulate")
        return kind, inner, doc.get("text", ""), doc.get("args", [])
    if isinstance(doc, list):
        return "sweep", {"rows": doc, "objectives": []}, "", []
    if isinstance(doc, dict) and "form" in doc:
        return "simulate", doc, "", []
    if isinstance(doc, dict) and "rows" in doc:
        return "sweep", doc, "", []
    if isinstance(doc, dict) and ("p_latency" in doc or "f_status" in doc or "scenario" in doc):
        return "eval", doc, "", []
    if isinstance(doc, dict) and "ttft_ms" in doc:
        return "serve", doc, "", []
    raise ValueError("not an mlsysim result: expected a simulate Result (with 'form'), eval or serve JSON, "
                     "or sweep rows")


def load(path):
    """Parses RESULT.json (one JSON document, or JSON lines of sweep rows)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
        return rows


def _hardware(name, precision=None):
    """Peak FLOP/s, bandwidth and capacity of a registry accelerator, or None."""
    from . import _core
    for entry in json.loads(_core.zoo("hardware")[0]).get("hardware", []):
        if entry.get("name") == name:
            flops = entry.get("flops")
            if precision and isinstance(entry.get("precision_flops"), dict):
                flops = entry["precision_flops"].get(precision, flops)
            return {"name": name, "flops": flops, "bandwidth": entry.get("bandwidth"),
                    "capacity": entry.get("capacity")}
    return None


def _positional(args):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a.startswith("-"):
            skip = "=" not in a
        else:
            out.append(a)
    return out


def _option(args, *names):
    for i, a in enumerate(args):
        if a in names and i + 1 < len(args):
            return args[i + 1]
    return None


def _figures_of(kind, result, args):
    if kind == "simulate":
        return _figures.figures_for(result)
    if kind == "sweep":
        return _figures_analytic.sweep_figures(
            result.get("rows", []), result.get("objectives", []), result.get("constraints"),
            result.get("objective_specs"), result.get("best"), result.get("tied"), result.get("pareto"))
    pos = _positional(args)
    hw = _hardware(pos[1], _option(args, "-p", "--precision") or "fp16") if len(pos) >= 2 else None
    if kind == "eval" and len(pos) == 1 and os.path.isfile(pos[0]):
        # A plan: its hardware and precision from the YAML (flow or block style).
        with open(pos[0], encoding="utf-8", errors="replace") as f:
            plan = f.read()
        name = re.search(r"hardware:\s*\{?\s*(?:\n\s*)?name:\s*['\"]?([A-Za-z0-9_]+)", plan)
        prec = re.search(r"precision:\s*['\"]?([A-Za-z0-9]+)", plan)
        hw = _hardware(name.group(1), prec.group(1) if prec else "fp16") if name else None
    if kind == "eval":
        return _figures_analytic.roofline(result, hw) + _figures_analytic.plan_walls(result)
    if kind == "serve":
        return _figures_analytic.serve_memory(result, hw)
    return []


def _default_text(kind, result):
    if kind == "simulate":
        from . import _core
        return _core.report(json.dumps(result))
    if kind == "sweep":
        rows = result.get("rows", [])
        ok = sum(1 for r in rows if r.get("status") == "ok")
        feasible = sum(1 for r in rows if r.get("meets_constraints"))
        text = (f"sweep {result.get('sweep', '')}: {len(rows)} points, {ok} ran, "
                f"{feasible} meet the constraints")
        best, tied = result.get("best", -1), result.get("tied") or []
        if best is not None and best >= 0:
            point = next((r["point"] for r in rows if r["index"] == best), {})
            text += "; best #%d (%s)" % (best, ", ".join(f"{k}={v}" for k, v in point.items()))
            if tied:
                text += (f"; {len(tied)} other point{'s' if len(tied) > 1 else ''} tied with it on the "
                         f"first objective (equal, or 95 % CIs overlap): "
                         + ", ".join(f"#{i}" for i in tied))
        return text
    width = max((len(k) for k in result), default=0)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in result.items())


def html_report(doc, title=None):
    """The report of a parsed result (any accepted input) as an HTML string."""
    kind, result, text, args = _classify(doc)
    if result is None:
        raise ValueError("the payload carries no result")
    text = text or _default_text(kind, result)
    figures = _figures_of(kind, result, args)
    if title is None:
        if kind == "simulate":
            title = f"mlsysim simulate {result.get('form', '')} · {result.get('name', '')}"
        elif kind == "sweep" and result.get("sweep"):
            title = f"mlsysim sweep · {result['sweep']}"
        else:
            title = f"mlsysim {kind} " + " ".join(args)
    meta = []
    if kind == "simulate":
        meta.append(f"seed {result.get('seed', '')} · {result.get('replications', '')} replications · "
                    f"{result.get('events', '')} events · fingerprint {result.get('fingerprint', '')}")
    parts = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    parts += [f"<p class=\"meta\">{html.escape(m)}</p>" for m in meta]
    for w in (result.get("warnings", []) if isinstance(result, dict) else []):
        parts.append(f"<p class=\"warn\">warning: {html.escape(w)}</p>")
    parts.append(f"<pre class=\"report\">{html.escape(text)}</pre>")
    if not figures:
        parts.append("<p class=\"meta\">No figures for this result (it carries no plot data).</p>")
    for i, f in enumerate(figures, 1):
        parts.append(f"<figure id=\"fig{i}\"><h2>Figure {i}. {html.escape(f.title)}</h2>")
        parts.append(to_svg(f.fig))
        parts.append(f"<figcaption>{html.escape(f.caption)}</figcaption></figure>")
    parts.append("<p class=\"meta\">Made by mlsysim; self-contained: no scripts, no external files.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write(result, path, title=None):
    """Writes the report of `result` (a SimulationResult, a parsed dict or list,
    or a path to RESULT.json) to `path`: a temporary file beside it, then a
    rename; a symlink at `path` is followed, not replaced."""
    if isinstance(result, str):
        result = load(result)
    elif hasattr(result, "raw"):
        result = result.raw
    page = html_report(result, title)
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".mlsysim-report-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return len(page.encode("utf-8"))


def main(argv):
    import argparse
    p = argparse.ArgumentParser(prog="mlsysim report", description="An HTML report of an mlsysim result.")
    p.add_argument("result", help="RESULT.json (simulate, eval, serve, sweep rows, or a --report payload)")
    p.add_argument("-o", "--output", required=True, help="REPORT.html")
    p.add_argument("--title")
    a = p.parse_args(argv)
    try:
        doc = load(a.result)
        write(doc, a.output, a.title)
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write(f"error: report: {a.result}: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

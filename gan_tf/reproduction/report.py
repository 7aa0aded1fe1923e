"""The reproductions surveyed at once: a static HTML page and its Markdown twin built from the outputs folders.

    gan-tf reproduce --all [--smoke]   # runs every script, then writes the report

For each source text (`catalogue.SOURCES`), each script that cites it first: its source and command (from its
docstring), the runtime `gan-tf reproduce --all` measured (and the one the docstring states), each claim its
metrics.json holds (expected, measured, tolerance, pass / FAIL; see `script.claim`), its figures (linked by
relative path, so the page works wherever outputs/ is copied) and its config.json.

  result_folders   the folders of a script's run that hold a metrics.json
  collect          the report's content: [(source key, [ScriptResult, ...]), ...] in `catalogue.SOURCES` order
  write            collect, then write index.html and README.md into the report folder
"""

import html
import json
import os
import pathlib
import re
import typing

from gan_tf.reproduction import catalogue, script

REPORT_FOLDER = "report"
RUNS_FILE = "runs.json"  # what `gan-tf reproduce --all` measured: name -> {"seconds", "returncode", "log", ...}
_SKIPPED_FOLDERS = {"run", "tensorboard", script.SMOKE_FOLDER}  # not results: training runs, logs, smoke runs


class Result(typing.NamedTuple):
    """One folder of a script's outputs that holds a metrics.json."""

    folder: pathlib.Path
    claims: list    # metrics.json's "claims" (script.claim dicts), [] when it has none
    config: dict    # config.json, {} when missing
    figures: list   # the .png and .gif files in the folder, sorted


class ScriptResult(typing.NamedTuple):
    entry: catalogue.Entry
    results: list   # [Result, ...]; [] when the script has not written any
    run: dict       # its entry of runs.json, {} when not run by `gan-tf reproduce --all`


def report_directory(outputs, smoke):
    """outputs/report/ (outputs/report/smoke/ for smoke runs)."""
    folder = pathlib.Path(outputs) / REPORT_FOLDER
    return folder / script.SMOKE_FOLDER if smoke else folder


def script_directory(outputs, name, smoke):
    """outputs/<name>/ (outputs/<name>/smoke/): where the script writes by default (`script.parse_arguments`)."""
    folder = pathlib.Path(outputs) / name
    return folder / script.SMOKE_FOLDER if smoke else folder


def result_folders(folder):
    """`folder` and its subfolders (not run/, tensorboard/, smoke/) that hold a metrics.json, sorted."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        return []
    candidates = [folder, *(path for path in sorted(folder.iterdir())
                            if path.is_dir() and path.name not in _SKIPPED_FOLDERS)]
    return [path for path in candidates if (path / "metrics.json").is_file()]


def read_result(folder):
    metrics = json.loads((folder / "metrics.json").read_text())
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text()) if config_path.is_file() else {}
    figures = sorted(path for pattern in ("*.png", "*.gif") for path in folder.glob(pattern))
    return Result(folder, metrics.get("claims", []) if isinstance(metrics, dict) else [], config, figures)


def collect(script_paths, outputs, smoke, runs=None):
    """[(source key, [ScriptResult, ...]), ...] for the scripts `script_paths`, read from `outputs`; `runs` is the
    content of runs.json (name -> dict), if any. Sources without scripts are left out."""
    entries = sorted((catalogue.describe(path) for path in script_paths), key=figure_order)
    runs = runs or {}
    sections = []
    for source in catalogue.SOURCES:
        members = [ScriptResult(entry, [read_result(folder) for folder in
                                        result_folders(script_directory(outputs, entry.name, smoke))],
                                runs.get(entry.name, {}))
                   for entry in entries if entry.source == source]
        if members:
            sections.append((source, members))
    return sections


def figure_order(entry):
    """(the first figure number its "Source:" cites, name): the blog's Figs 1-7 before Figs 8-15."""
    match = re.search(r"\bFigs (\d+)", entry.fields.get("Source", ""))
    return (int(match.group(1)) if match else 0, entry.name)


def write(script_paths, outputs, smoke):
    """Build the report of `outputs` (reading report_directory/runs.json if present) and write index.html and
    README.md into report_directory(outputs, smoke); returns the report folder."""
    folder = report_directory(outputs, smoke)
    folder.mkdir(parents=True, exist_ok=True)
    runs_path = folder / RUNS_FILE
    runs = json.loads(runs_path.read_text()) if runs_path.is_file() else {}
    sections = collect(script_paths, outputs, smoke, runs)
    (folder / "index.html").write_text(render_html(sections, folder, smoke), encoding="utf-8")
    (folder / "README.md").write_text(render_markdown(sections, folder, smoke), encoding="utf-8")
    return folder


def number(value):
    """A claim's number as the report prints it: 6 significant digits ("nan", "inf" as such)."""
    return f"{value:.6g}" if isinstance(value, (int, float)) else str(value)


def claim_cells(claim):
    """[name, expected, measured, tolerance, range, result] as text."""
    return [claim["name"], number(claim["expected"]), number(claim["measured"]), number(claim["tolerance"]),
            f"{number(claim['low'])} to {number(claim['high'])}", "pass" if claim["passed"] else "FAIL"]


CLAIM_HEADERS = ["claim", "expected", "measured", "tolerance", "range", "result"]


def run_text(member):
    """What the run of --all measured, and what the docstring states."""
    run = member.run
    cpu = f" ({run['cpu_seconds']:.0f} s of CPU)" if "cpu_seconds" in run else ""
    measured = (f"{run['seconds']:.0f} s{cpu} measured by gan-tf reproduce --all"
                + ("" if run.get("returncode", 0) == 0 else f", FAILED (exit status {run['returncode']})")
                if run else "not run by gan-tf reproduce --all")
    return f"{measured}; the docstring states: {member.entry.fields.get('Runtime', 'nothing')}"


def title_text(smoke):
    return "Reproductions: " + ("SMOKE RUNS (a few steps each: the claims are not expected to hold)" if smoke
                                else "full runs")


def relative(path, folder):
    return pathlib.Path(os.path.relpath(path, folder)).as_posix()


def counts_text(sections):
    claims = [claim for _, members in sections for member in members for result in member.results
              for claim in result.claims]
    passed = sum(claim["passed"] for claim in claims)
    return f"{passed} of {len(claims)} claims pass"


OVERVIEW_HEADERS = ["source", "script", "claims passed", "figures", "runtime (--all)"]


def overview_rows(sections):
    """One row per script: [source title, name, "passed of claims", figures, measured runtime or status]."""
    rows = []
    for source, members in sections:
        for member in members:
            claims = [claim for result in member.results for claim in result.claims]
            run = member.run
            runtime = ("not run" if not run else f"{run['seconds']:.0f} s" if run.get("returncode", 0) == 0
                       else f"FAILED (exit status {run['returncode']})")
            rows.append([catalogue.SOURCES[source][0], member.entry.name,
                         f"{sum(claim['passed'] for claim in claims)} of {len(claims)}",
                         str(sum(len(result.figures) for result in member.results)), runtime])
    return rows


def render_markdown(sections, folder, smoke):
    lines = [f"# {title_text(smoke)}", "", counts_text(sections) + ".", "",
             "| " + " | ".join(OVERVIEW_HEADERS) + " |", "|" + "---|" * len(OVERVIEW_HEADERS)]
    lines += ["| " + " | ".join(row) + " |" for row in overview_rows(sections)]
    lines.append("")
    for source, members in sections:
        title, description = catalogue.SOURCES[source]
        lines += [f"## {title}", "", description, ""]
        for member in members:
            lines += [f"### {member.entry.name}", "", f"Source: {member.entry.fields.get('Source', '')}", "",
                      f"Runtime: {run_text(member)}", ""]
            if member.run.get("log"):
                lines += [f"Log: [{member.run['log']}]({member.run['log']})", ""]
            if not member.results:
                lines += ["No metrics.json: not run (or failed before writing it).", ""]
            for result in member.results:
                lines += markdown_result(result, folder)
    return "\n".join(lines)


def markdown_result(result, folder):
    lines = [f"Folder: `{result.folder.as_posix()}`", ""]
    lines += [f"![{path.name}]({relative(path, folder)})" for path in result.figures] + [""]
    if result.claims:
        lines += ["| " + " | ".join(CLAIM_HEADERS) + " |", "|" + "---|" * len(CLAIM_HEADERS)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in claim_cells(claim)) + " |"
                  for claim in result.claims]
        lines.append("")
    else:
        lines += ["No claims in metrics.json.", ""]
    lines += ["Config: `" + json.dumps(result.config, sort_keys=True) + "`", ""]
    return lines


_STYLE = """body{font-family:sans-serif;max-width:1200px;margin:auto;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{border-bottom:2px solid #888;margin-top:2em}h3{margin-bottom:.3em}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px}
td.pass{background:#d7f5d7}td.FAIL{background:#f8d0d0}.figures img{max-width:380px;max-height:300px;
margin:4px;border:1px solid #ddd}.note{color:#555;font-size:.9em}.smoke{color:#b00}pre{font-size:.8em;
white-space:pre-wrap}"""


def render_html(sections, folder, smoke):
    escape = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title_text(smoke))}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1 class='{'smoke' if smoke else ''}'>{escape(title_text(smoke))}</h1>",
             f"<p>{escape(counts_text(sections))}.</p>",
             "<table><tr>" + "".join(f"<th>{header}</th>" for header in OVERVIEW_HEADERS) + "</tr>"]
    parts += ["<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row[:1])
              + f"<td><a href='#{escape(row[1])}'>{escape(row[1])}</a></td>"
              + "".join(f"<td>{escape(cell)}</td>" for cell in row[2:]) + "</tr>" for row in overview_rows(sections)]
    parts.append("</table>")
    for source, members in sections:
        title, description = catalogue.SOURCES[source]
        parts += [f"<h2>{escape(title)}</h2>", f"<p class='note'>{escape(description)}</p>"]
        for member in members:
            parts += [f"<h3 id='{escape(member.entry.name)}'>{escape(member.entry.name)}</h3>",
                      f"<p class='note'>Source: {escape(member.entry.fields.get('Source', ''))}</p>",
                      f"<p class='note'>Runtime: {escape(run_text(member))}</p>"]
            if member.run.get("log"):
                parts.append(f"<p class='note'>Log: <a href='{escape(member.run['log'])}'>"
                             f"{escape(member.run['log'])}</a></p>")
            if not member.results:
                parts.append("<p>No metrics.json: not run (or failed before writing it).</p>")
            for result in member.results:
                parts += html_result(result, folder)
    parts.append("</body></html>")
    return "\n".join(parts)


def html_result(result, folder):
    escape = html.escape
    parts = ["<div class='figures'>" + "".join(
        f"<a href='{escape(relative(path, folder))}'><img src='{escape(relative(path, folder))}' "
        f"alt='{escape(path.name)}' title='{escape(path.name)}'></a>" for path in result.figures) + "</div>"]
    if result.claims:
        parts.append("<table><tr>" + "".join(f"<th>{header}</th>" for header in CLAIM_HEADERS) + "</tr>")
        for claim in result.claims:
            cells = claim_cells(claim)
            parts.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells[:-1])
                         + f"<td class='{cells[-1]}'>{cells[-1]}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p class='note'>No claims in metrics.json.</p>")
    parts.append(f"<details><summary>config.json ({escape(result.folder.as_posix())})</summary><pre>"
                 f"{escape(json.dumps(result.config, indent=1, sort_keys=True))}</pre></details>")
    return parts

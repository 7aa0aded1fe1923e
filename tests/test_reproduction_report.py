"""gan_tf.reproduction.report and `gan-tf reproduce --all`: the report shows the claims metrics.json holds."""

import json
import pathlib
import re
import textwrap

from gan_tf.cli import reproduce_commands
from gan_tf.reproduction import report, script

BLOG_SCRIPT = '''"""A fake blog reproduction.

Source:   Max Strakhov, "Generative Adversarial Networks" (blog post, 2018), also https://arxiv.org/abs/1.
Outputs:  outputs/fake_blog/
            fig1_a.png, fig2_b.gif, config.json, metrics.json
Runtime:  about 2 minutes; --smoke about 5 s.
"""
'''
PAPER_SCRIPT = '''"""A fake paper reproduction.

Source:   Someone 2017, "A paper" (https://arxiv.org/abs/2), as in the slides of N. Popov.
Runtime:  about 1 s.
"""
'''
CLAIMS = [script.claim("final mean", 2.0312345678, 2.0, 0.1),
          script.claim_range("first step within 0.1", 400, 150, 350),
          script.claim("modes of 8", float("nan"), 8, 0)]


def fake_checkout(root, smoke=False):
    """Two scripts in root/reproductions and their outputs in root/outputs; returns the script paths."""
    (root / "reproductions").mkdir()
    blog, paper = root / "reproductions" / "fake_blog.py", root / "reproductions" / "fake_paper.py"
    blog.write_text(BLOG_SCRIPT)
    paper.write_text(PAPER_SCRIPT)
    folder = report.script_directory(root / "outputs", "fake_blog", smoke)
    folder.mkdir(parents=True)
    script.write_json(folder / "metrics.json", {"runs": [1, 2], "claims": CLAIMS})
    script.write_json(folder / "config.json", {"steps": 2000, "smoke": smoke})
    (folder / "fig1_a.png").write_bytes(b"png")
    (folder / "tensorboard").mkdir()
    return [blog, paper]


def markdown_rows(text, header="claim"):
    """first cell -> the table's cells, for every row of the Markdown tables whose first header is `header`."""
    rows, current = {}, None
    for line in text.splitlines():
        if line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")] if line.startswith("| ") else None
        if cells is None:
            current = None
        elif current is None:
            current = cells[0]
        elif current == header:
            rows[cells[0]] = cells
    return rows


def test_the_markdown_and_html_claims_are_the_metrics_json_values(tmp_path):
    paths = fake_checkout(tmp_path)
    folder = report.write(paths, tmp_path / "outputs", smoke=False)
    assert folder == tmp_path / "outputs" / "report"
    stored = json.loads((tmp_path / "outputs" / "fake_blog" / "metrics.json").read_text())["claims"]
    rows = markdown_rows((folder / "README.md").read_text())
    assert set(rows) == {claim["name"] for claim in stored}
    page = (folder / "index.html").read_text()
    for claim in stored:
        expected_cells = [claim["name"], report.number(claim["expected"]), report.number(claim["measured"]),
                          report.number(claim["tolerance"]),
                          f"{report.number(claim['low'])} to {report.number(claim['high'])}",
                          "pass" if claim["passed"] else "FAIL"]
        assert rows[claim["name"]] == expected_cells
        assert "".join(f"<td>{cell}</td>" for cell in expected_cells[:-1]) in page
    assert rows["final mean"][2] == "2.03123" and rows["final mean"][5] == "pass"
    assert rows["first step within 0.1"][1:6] == ["250", "400", "100", "150 to 350", "FAIL"]
    assert rows["modes of 8"][2] == "nan" and rows["modes of 8"][5] == "FAIL"
    assert "1 of 3 claims pass" in page
    overview = markdown_rows((folder / "README.md").read_text(), header="source")
    assert list(overview.values()) == [["Generative Adversarial Networks", "fake_blog", "1 of 3", "1", "not run"],
                                       ["The papers", "fake_paper", "0 of 0", "0", "not run"]]


def test_sections_follow_the_first_cited_source_and_figures_link_by_relative_path(tmp_path):
    paths = fake_checkout(tmp_path)
    sections = report.collect(paths, tmp_path / "outputs", smoke=False)
    assert [(source, [member.entry.name for member in members]) for source, members in sections] == [
        ("blog", ["fake_blog"]), ("papers", ["fake_paper"])]
    folder = report.write(paths, tmp_path / "outputs", smoke=False)
    sources = re.findall(r"<img src='([^']+)'", (folder / "index.html").read_text())
    assert sources == ["../fake_blog/fig1_a.png"] and (folder / sources[0]).resolve().is_file()
    assert "No metrics.json" in (folder / "README.md").read_text()  # fake_paper wrote nothing


def test_a_smoke_report_reads_only_the_smoke_folders(tmp_path):
    paths = fake_checkout(tmp_path, smoke=True)
    assert report.collect(paths, tmp_path / "outputs", smoke=False)[0][1][0].results == []
    folder = report.write(paths, tmp_path / "outputs", smoke=True)
    assert folder == tmp_path / "outputs" / "report" / "smoke"
    text = (folder / "README.md").read_text()
    assert "SMOKE RUNS" in text and "(../../fake_blog/smoke/fig1_a.png)" in text


def test_reproduce_all_runs_each_script_in_its_own_process_and_reports_a_failure(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reproductions").mkdir()
    good, bad = tmp_path / "reproductions" / "a_good.py", tmp_path / "reproductions" / "b_bad.py"
    good.write_text(BLOG_SCRIPT + textwrap.dedent('''
        import json, pathlib, sys
        folder = pathlib.Path("outputs/a_good/smoke" if "--smoke" in sys.argv else "outputs/a_good")
        folder.mkdir(parents=True)
        claim = {"name": "x", "measured": 1.5, "expected": 1.0, "tolerance": 1.0, "low": 0.0, "high": 2.0,
                 "passed": True}
        (folder / "metrics.json").write_text(json.dumps({"claims": [claim]}))
        print("step 10 done")
        '''))
    bad.write_text(PAPER_SCRIPT + "raise SystemExit(3)\n")
    folder = reproduce_commands.run_all({"a_good": good, "b_bad": bad}, smoke=True, outputs=pathlib.Path("outputs"))
    runs = json.loads((folder / "runs.json").read_text())
    assert runs["a_good"]["returncode"] == 0 and runs["b_bad"]["returncode"] == 3
    assert 0 <= runs["a_good"]["cpu_seconds"] <= runs["a_good"]["seconds"] + 0.1  # one thread of plain Python
    assert (folder / runs["a_good"]["log"]).read_text() == "step 10 done\n"
    output = capsys.readouterr().out
    assert "[a_good] step 10 done" in output and "[2/2 b_bad] FAILED (exit status 3)" in output
    text = (folder / "README.md").read_text()
    assert markdown_rows(text)["x"][1:] == ["1", "1.5", "1", "0 to 2", "pass"]
    assert "FAILED (exit status 3)" in text

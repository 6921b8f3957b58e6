"""test_report_browser.py — every kind of HTML report rendered in headless
Chromium (Debian `chromium`, installed by `.ci/install-deps tests`), offline:
the page loads with no console message and no resource fetched, every figure
has drawn content (counted by a checker script this test appends to a copy
of the page; the shipped report has no scripts), and a screenshot is saved
to report_screenshots/ in the working directory (the build folder under
ctest) and checked to be more than a blank page."""
import os
import re
import shutil
import subprocess

import pytest

CHECKER = """<script>
(function () {
  var out = [];
  document.querySelectorAll('figure').forEach(function (f) {
    var svg = f.querySelector('svg'), drawn = 0, area = 0;
    if (svg) {
      svg.querySelectorAll('path, use, line, rect, polyline, polygon').forEach(function (el) {
        var b = el.getBBox();
        if (b.width > 0 || b.height > 0) drawn++;
      });
      var r = svg.getBoundingClientRect();
      area = Math.round(r.width * r.height);
    }
    out.push(drawn + ':' + area);
  });
  document.body.setAttribute('data-figures', out.join(','));
  document.body.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
})();
</script>"""


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium not found: `.ci/install-deps tests` installs Debian's chromium")


def _render(page_path, shot_path, height):
    """(figures [(drawn, area)], resources, console lines) and a screenshot."""
    checked = page_path + ".checked.html"
    with open(page_path, encoding="utf-8") as f:
        text = f.read()
    with open(checked, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", CHECKER + "</body>"))
    common = [_chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run(common + ["--dump-dom", "file://" + os.path.abspath(checked)], capture_output=True,
                         text=True, timeout=120)
    console = [l for l in dom.stderr.splitlines() if ":CONSOLE" in l]
    body = re.search(r'<body[^>]*data-figures="([^"]*)"[^>]*data-resources="(\d+)"', dom.stdout)
    assert body, dom.stdout[:500]
    figures = [tuple(int(v) for v in f.split(":")) for f in body.group(1).split(",") if f]
    shot = subprocess.run(common + [f"--window-size=1200,{height}", f"--screenshot={shot_path}",
                                    "file://" + os.path.abspath(page_path)], capture_output=True, text=True,
                          timeout=120)
    assert os.path.exists(shot_path), shot.stderr[-2000:]
    os.unlink(checked)
    return figures, int(body.group(2)), console


def _not_blank(png):
    from PIL import Image  # python3-pil, a dependency of python3-matplotlib
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return 1 - hist[255] / sum(hist)


def _check(path, shots, name, expected_figures, height):
    os.makedirs(shots, exist_ok=True)
    png = os.path.join(shots, name + ".png")
    figures, resources, console = _render(path, png, height)
    assert console == [], console
    assert resources == 0
    assert len(figures) == expected_figures
    for drawn, area in figures:
        assert drawn >= 30 and area >= 200 * 150, figures  # axes, ticks and the data itself
    assert _not_blank(png) > 0.05
    return png


@pytest.fixture(scope="module")
def shots():
    return os.path.abspath("report_screenshots")


def _report(cli, path, *args):
    p = subprocess.run([cli, "-q", *args, "--report", path], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return path


def test_serving_training_and_queue_reports_render(cli_binary, source_dir, shots, tmp_path):
    sc = os.path.join(source_dir, "scenarios")
    serving = _report(cli_binary, str(tmp_path / "serving.html"), "simulate",
                      os.path.join(sc, "llama3_8b_8xh100_bursty.textproto"))
    _check(serving, shots, "serving_report", 2, 2400)
    training = _report(cli_binary, str(tmp_path / "training.html"), "simulate", "default")
    _check(training, shots, "training_report", 4, 3600)
    queue = _report(cli_binary, str(tmp_path / "queue.html"), "simulate",
                    os.path.join(sc, "mm8_tail_latency.textproto"))
    _check(queue, shots, "queue_report", 1, 1400)
    tenants = _report(cli_binary, str(tmp_path / "tenants.html"), "simulate",
                      os.path.join(sc, "two_tenants_and_training_queue.textproto"))
    _check(tenants, shots, "tenants_report", 3, 3000)  # serving (2) and the job queue (1)


def test_collective_eval_serve_and_sweep_reports_render(cli_binary, source_dir, shots, tmp_path):
    coll = _report(cli_binary, str(tmp_path / "collective.html"), "simulate", "collective", "--ranks", "64",
                   "--gpus-per-node", "8", "--message", "1 GB", "--bandwidth", "900 GB/s", "--latency", "1 us",
                   "--inter-bandwidth", "50 GB/s", "--inter-latency", "5 us", "--topology", "fat_tree_2")
    _check(coll, shots, "collective_report", 1, 1200)
    _check(_report(cli_binary, str(tmp_path / "eval.html"), "eval", "Llama3_8B", "H100", "-b", "32"),
           shots, "eval_report", 1, 1200)
    _check(_report(cli_binary, str(tmp_path / "plan.html"), "eval",
                   os.path.join(source_dir, "tests", "data", "test_fleet_plan.yaml")), shots, "plan_report", 2, 1600)
    _check(_report(cli_binary, str(tmp_path / "serve.html"), "serve", "Llama3_8B", "H100", "-b", "16"),
           shots, "serve_report", 1, 1000)
    base = open(os.path.join(source_dir, "scenarios", "llama3_70b_research256.textproto")).read()
    sweep = tmp_path / "ck.textproto"
    sweep.write_text('name: "ck" seed: 5\nbase {\n' + base.replace('"7 day"', '"2 day"') + '\n}\n'
                     'axes { field: "checkpoint.interval" values: ["4 min", "12 min", "36 min"] }\n'
                     'axes { field: "cluster.spare_nodes" values: ["0", "2"] }\n'
                     'objectives { metric: "ettr" maximize: true }\n')
    _check(_report(cli_binary, str(tmp_path / "sweep.html"), "sweep", str(sweep)), shots, "sweep_report", 1, 1200)

"""test_convert_job_trace.py — the job-trace converters (traces/convert_job_trace.py)
turn a few hand-written rows in each public layout into the CSV `mlsysim simulate
jobs --job-trace` reads, with the GPUs and durations worked out by hand."""
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "traces", "convert_job_trace.py")


def convert(tmp_path, fmt, *inputs):
    out = tmp_path / "jobs.csv"
    subprocess.run([sys.executable, SCRIPT, "--format", fmt, *map(str, inputs), "-o", str(out)],
                   check=True, capture_output=True, text=True)
    with open(out, newline="") as f:
        return list(csv.DictReader(f))


def test_philly_takes_the_first_attempts_gpus_and_the_span_of_attempts(tmp_path):
    log = tmp_path / "cluster_job_log"
    log.write_text(json.dumps([
        {"jobid": "application_1", "user": "u1", "status": "Pass",
         "submitted_time": "2017-10-03 02:50:04",
         "attempts": [{"start_time": "2017-10-03 02:51:04", "end_time": "2017-10-03 03:00:00",
                       "detail": [{"ip": "m1", "gpus": ["gpu0", "gpu1"]},
                                  {"ip": "m2", "gpus": ["gpu0", "gpu1"]}]},
                      {"start_time": "2017-10-03 03:10:00", "end_time": "2017-10-03 04:51:04",
                       "detail": [{"ip": "m3", "gpus": ["gpu0"]}]}]},
        {"jobid": "application_2", "user": "u2", "status": "Killed",
         "submitted_time": "2017-10-03 02:50:05", "attempts": []}]))
    rows = convert(tmp_path, "philly", log)
    assert len(rows) == 1
    assert rows[0]["gpus"] == "4"
    assert float(rows[0]["duration_s"]) == 2 * 3600  # 02:51:04 -> 04:51:04
    assert rows[0]["job_id"] == "application_1" and rows[0]["status"] == "Pass"


def test_helios_reads_its_columns(tmp_path):
    log = tmp_path / "cluster_log.csv"
    log.write_text("job_id,user,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,"
                   "duration,queue\n"
                   "j1,uA,16,64,2,COMPLETED,2020-04-01 00:00:28,2020-04-01 00:01:00,"
                   "2020-04-01 01:01:00,3600,0\n"
                   "j2,uB,0,4,1,COMPLETED,2020-04-01 00:00:30,,,10,0\n")
    rows = convert(tmp_path, "helios", log)
    assert [(r["job_id"], r["gpus"], float(r["duration_s"])) for r in rows] == [("j1", "16", 3600)]


def test_pai_sums_task_gpus_and_rounds_up(tmp_path):
    jobs = tmp_path / "pai_job_table.csv"
    tasks = tmp_path / "pai_task_table.csv"
    jobs.write_text("jA,i1,u1,Terminated,1000,4600\njB,i2,u2,Failed,2000,2100\n")
    tasks.write_text("jA,worker,4,Terminated,1000,4600,600,29,100,V100\n"
                     "jA,ps,1,Terminated,1000,4600,600,29,50,V100\n"
                     "jB,worker,1,Failed,2000,2100,600,29,,\n")
    rows = convert(tmp_path, "pai", jobs, tasks)
    assert len(rows) == 1  # jB asked for no GPU
    assert rows[0]["gpus"] == "5"  # 4 x 100 % + 1 x 50 %, rounded up
    assert float(rows[0]["duration_s"]) == 3600


def test_the_simulator_reads_what_the_converter_writes(tmp_path):
    log = tmp_path / "cluster_log.csv"
    log.write_text("job_id,user,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,"
                   "duration,queue\n"
                   "j1,uA,8,64,1,COMPLETED,100,0,0,3600,0\nj2,uB,8,64,1,COMPLETED,200,0,0,60,0\n")
    convert(tmp_path, "helios", log)
    binary = os.environ.get("MLSYSIM_BINARY", os.path.join(ROOT, "build", "mlsysim"))
    run = subprocess.run([binary, "-o", "json", "simulate", "jobs", "--gpus", "8",
                          "--job-trace", str(tmp_path / "jobs.csv")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    metrics = {m["name"]: m for m in json.loads(run.stdout)["metrics"]}
    # j2 waits for j1: from 100 s to 3,700 s; the mean wait is 1,750 s.
    assert abs(metrics["wait_mean_h"]["simulated"] - 3500 / 2 / 3600) < 1e-12

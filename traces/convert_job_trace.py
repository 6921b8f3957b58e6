#!/usr/bin/env python3
"""convert_job_trace.py — turns a public GPU-cluster job trace into the CSV that
`mlsysim simulate jobs --job-trace` reads (traces/job_trace.h):
submit_time_s,gpus,duration_s,job_id,user,priority,status.

Layouts (docs/JOB_TRACES.md says where each trace lives and its licence):
  philly  Microsoft Philly (msr-fiddle/philly-traces) cluster_job_log: a JSON
          list of jobs {jobid, user, status, submitted_time, attempts: [{start_time,
          end_time, detail: [{ip, gpus: [...]}]}]}; GPUs: the first attempt's;
          duration: first attempt's start to the last attempt's end.
  helios  SenseTime Helios (S-Lab-System-Group/HeliosData) cluster_log.csv with
          header job_id,user,gpu_num,cpu_num,node_num,state,submit_time,start_time,
          end_time,duration,queue; submit_time a date-time or seconds.
  pai     Alibaba PAI 2020 (alibaba/clusterdata cluster-trace-gpu-v2020): the
          headerless pai_job_table.csv (job_name,inst_id,user,status,start_time,
          end_time) and pai_task_table.csv (job_name,task_name,inst_num,status,
          start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type), given as
          JOB_TABLE TASK_TABLE; GPUs: sum over tasks of inst_num * plan_gpu / 100,
          rounded up.

Jobs without GPUs, without a run time (never started, unparseable times) are
skipped and counted on stderr. Standard library only.

Usage: python3 traces/convert_job_trace.py --format helios cluster_log.csv -o jobs.csv
"""
import argparse
import csv
import datetime
import json
import math
import sys

HEADER = ["submit_time_s", "gpus", "duration_s", "job_id", "user", "priority", "status"]


def seconds(text):
    """Seconds from a number or a 'YYYY-MM-DD HH:MM:SS' date-time (UTC); None if neither."""
    if text is None:
        return None
    text = str(text).strip()
    if text in ("", "None", "null", "nan", "NaN"):
        return None
    try:
        value = float(text)
        return value if math.isfinite(value) else None
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            stamp = datetime.datetime.strptime(text, fmt)
            return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def philly(paths):
    with open(paths[0], encoding="utf-8") as f:
        jobs = json.load(f)
    for job in jobs:
        attempts = job.get("attempts") or []
        if not attempts:
            yield None
            continue
        gpus = sum(len(d.get("gpus") or []) for d in attempts[0].get("detail") or [])
        start, end = seconds(attempts[0].get("start_time")), seconds(attempts[-1].get("end_time"))
        submit = seconds(job.get("submitted_time"))
        if gpus < 1 or start is None or end is None or submit is None or end <= start:
            yield None
            continue
        yield [submit, gpus, end - start, job.get("jobid", ""), job.get("user", ""), 0,
               job.get("status", "")]


def helios(paths):
    with open(paths[0], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            submit, gpus = seconds(row.get("submit_time")), row.get("gpu_num", "0")
            duration = seconds(row.get("duration"))
            try:
                gpus = int(float(gpus))
            except ValueError:
                gpus = 0
            if gpus < 1 or submit is None or duration is None or duration <= 0:
                yield None
                continue
            yield [submit, gpus, duration, row.get("job_id", ""), row.get("user", ""), 0,
                   row.get("state", "")]


def pai(paths):
    if len(paths) != 2:
        raise SystemExit("pai: give JOB_TABLE TASK_TABLE (pai_job_table.csv pai_task_table.csv)")
    gpus = {}
    with open(paths[1], newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) < 9:
                continue
            try:
                gpus[row[0]] = gpus.get(row[0], 0.0) + float(row[2]) * float(row[8]) / 100.0
            except ValueError:
                continue
    with open(paths[0], newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if len(row) < 6:
                yield None
                continue
            job, user, status = row[0], row[2], row[3]
            start, end = seconds(row[4]), seconds(row[5])
            need = math.ceil(gpus.get(job, 0.0) - 1e-9)
            if need < 1 or start is None or end is None or end <= start:
                yield None
                continue
            yield [start, need, end - start, job, user, 0, status]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", required=True, choices=["philly", "helios", "pai"])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    reader = {"philly": philly, "helios": helios, "pai": pai}[args.format]
    kept, skipped = [], 0
    for row in reader(args.inputs):
        if row is None:
            skipped += 1
        else:
            kept.append(row)
    if not kept:
        raise SystemExit(f"{args.format}: no job with GPUs and a run time in {args.inputs}")
    for row in kept:  # fields must not carry the CSV's separator (the reader does no quoting)
        row[3:] = [str(x).replace(",", ";").replace('"', "") for x in row[3:]]
    with open(args.output, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADER)
        for row in kept:
            out.writerow([repr(float(row[0])), row[1], repr(float(row[2]))] + row[3:])
    print(f"{args.output}: {len(kept)} jobs ({skipped} skipped: no GPUs or no run time)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

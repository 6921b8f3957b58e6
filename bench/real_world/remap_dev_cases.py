#!/usr/bin/env python3
# remap_dev_cases.py — the development set's training cases re-mapped with
# what the papers ran, now that `simulate training` can say it (issue 20):
# sequence parallelism and ZeRO stages as each framework ran them, BLOOM's
# stage split with its tied embedding counted as a layer, and the models'
# shapes (bench/real_world/registry_with_shapes.textproto). Writes
# bench/real_world/dev_cases_remapped.jsonl from the shared dev_cases.jsonl
# (../shared/reference/real_world/, not shipped with the project; the output
# is committed so the table in bench/RESULTS.md can be rerun without it).
#
# Usage: python3 bench/real_world/remap_dev_cases.py \
#            ../shared/reference/real_world/dev_cases.jsonl \
#            > bench/real_world/dev_cases_remapped.jsonl
import json
import sys

# Megatron-LM SC'21 (Narayanan et al.): the settings of each Table 1 row are
# in NVIDIA/Megatron-LM, examples/sc21/run_table_1.sh (TP, PP, micro-batch
# size MBS, global batch, --num-layers-per-virtual-pipeline-stage, full
# uniform recomputation, DDP=torch for 1.7B-18B and DDP=local above). The
# shared mapping assumed MBS 1 and no interleaving; microbatches per replica
# = GBS / (DP · MBS), chunks per device v = layers / (PP · layers per virtual
# stage). Neither sequence parallelism (Korthikanti et al., 2022) nor the
# distributed optimizer existed yet. DDP=local all-reduces the gradients after
# the backward (no overlap): those rows need `--no-overlap`, a bare flag the
# shared runner cannot pass in a case's args, so they are run a second time
# with --extra --no-overlap (bench/RESULTS.md gives both).
MEGATRON21_TABLE1 = {  # id suffix: (MBS, layers per virtual stage or None, DDP)
    "gpt1.7B": (16, None, "torch"),
    "gpt3.6B": (16, None, "torch"),
    "gpt7.5B": (16, None, "torch"),
    "gpt18.4B": (8, None, "torch"),
    "gpt39.1B": (4, None, "local"),
    "gpt76.1B": (2, 5, "local"),
    "gpt145.6B": (2, 5, "local"),
    "gpt310.1B": (1, 3, "local"),
    "gpt529.6B": (1, 1, "local"),
    "gpt1008B": (1, None, "local"),
}


def megatron21(case):
    mbs, per_vstage, ddp = MEGATRON21_TABLE1[case["id"].split("_")[-1]]
    a = case["sim"]["args"]
    layers = case["model"]["layers"]
    dp = case["parallelism"]["dp"]
    a["microbatches"] = a["batch-size"] // (dp * mbs)
    v = layers // (a["pp"] * per_vstage) if per_vstage else 1
    if v > 1:
        a["virtual-stages"] = v
    a["sequence-parallel"] = "off"
    a["zero"] = 0
    a["attention-kernel"] = "unfused"
    case["sim"]["assumptions"] = [
        x for x in case["sim"]["assumptions"]
        if not x.startswith("microbatch size 1") and not x.startswith("non-interleaved")
    ] + [
        f"micro-batch size {mbs}, {a['microbatches']} microbatches, "
        + (f"interleaved with {v} chunks per device" if v > 1 else "1F1B")
        + " (examples/sc21/run_table_1.sh in NVIDIA/Megatron-LM)",
        "no sequence parallelism and no distributed optimizer (both postdate SC'21)",
        "unfused attention (Megatron-LM's fused scale-mask-softmax and dropout over the scores; "
        "FlashAttention, Dao et al. 2022, postdates SC'21); used by --hardware-model calibrated",
        f"DDP={ddp}: " + ("gradient all-reduce overlapped with the backward" if ddp == "torch"
                          else "gradient all-reduce after the backward (run with --extra --no-overlap)"),
    ]
    case["sim"]["ddp"] = ddp


# MegaScale's Megatron-LM rows (NSDI'24): the interleaved schedule with 6
# chunks is in the paper; the distributed optimizer and sequence parallelism
# were Megatron-LM's GPT-175B recipe settings by 2023 but are not reported.
MEGASCALE = {
    "args": {"sequence-parallel": "on", "zero": 1},
    "assumptions": [
        "sequence parallelism and Megatron's distributed optimizer (ZeRO-1): the "
        "framework's recipe settings in 2023, not stated in the paper",
        "FlashAttention (the default attention kernel; Megatron-LM had --use-flash-attn by "
        "2023, the paper does not say whether its baseline used it)",
    ],
}
# BLOOM-176B (bigscience tr11): Megatron-DeepSpeed with its BF16 optimizer,
# which shards the optimizer states over DP (ZeRO stage 1; the slurm file sets
# ZERO_STAGE=0 because the BF16 optimizer does the sharding itself); no
# sequence parallelism in Megatron-DeepSpeed then; the partition method
# 'type:transformer|embedding' counts the tied embedding as a layer on the
# first and the last stage: 72 units over 12 stages, so 5 transformer layers
# on each end stage and 6 on the ten between.
BLOOM = {
    "args": {
        "node": "JeanZay_A100_4xOPA",
        "fabric": "OmniPath_100G",
        "sequence-parallel": "off",
        "zero": 1,
        "stage-layers": ",".join(["5"] + ["6"] * 10 + ["5"]),
        "attention-kernel": "unfused",
    },
    "assumptions": [
        "Jean Zay node as run: 8 A100 80GB on NVLink 3 (600 GB/s), 4 Omni-Path 100 Gb/s ports "
        "each shared by two GPUs (bench/real_world/registry_with_shapes.textproto)",
        "ZeRO-1 (DeepSpeed's BF16 optimizer shards the optimizer states), no sequence parallelism",
        "stage split 5, 6 x 10, 5: the tied embedding counted as a layer on the first and last "
        "stages by the 'type:transformer|embedding' partition",
        "unfused attention (Megatron-DeepSpeed's fused softmax; training began in March 2022, "
        "before FlashAttention was released); used by --hardware-model calibrated",
    ],
    "drop_assumption_prefix": ("tied embedding stages", "Jean Zay node modelled as DGX_A100",
                               "Omni-Path as one 6.25 GB/s port per GPU"),
}


# The nccl-tests cases on registry hardware (issue 21: `simulate collective
# --node`), instead of raw link figures: NVLink per direction from DGX_H100,
# the NDR port from InfiniBand_NDR.
COLLECTIVES = {
    "nccl_h100_8gpu_ring_allreduce_busbw": {
        "op": "allreduce", "algorithm": "ring", "ranks": 8, "message": "8GB", "node": "DGX_H100"},
    "nccl_h100_2node_ndr_ring_busbw": {
        "op": "allreduce", "algorithm": "ring", "ranks": 2, "gpus-per-node": 1, "message": "8GB",
        "node": "DGX_H100", "nodes": 2, "fabric": "InfiniBand_NDR"},
}


# TensorRT-LLM's trtllm-bench (perf-overview.md): its capacity scheduler's
# default policy is GUARANTEED_NO_EVICT, which admits a request only when the
# KV blocks of its prompt and its whole output can be reserved, and never
# evicts one (TensorRT-LLM docs, performance-tuning-guide/useful-runtime-flags.md,
# "Capacity Scheduler Policy"); `--preemption never` simulates that policy.
TRTLLM = {
    "args": {"preemption": "never"},
    "assumptions": [
        "capacity scheduler GUARANTEED_NO_EVICT, TensorRT-LLM's default (prompt + output "
        "KV reserved at admission, no preemption): --preemption never",
    ],
}


def remap(case):
    sim = case.get("sim")
    if sim and case["id"].startswith("trtllm_"):
        sim["args"].update(TRTLLM["args"])
        sim["assumptions"] = sim.get("assumptions", []) + TRTLLM["assumptions"]
        sim["remapped"] = "issue 21 (bench/real_world/remap_dev_cases.py)"
        return case
    if sim and case["id"] in COLLECTIVES:
        sim["args"] = COLLECTIVES[case["id"]]
        sim["assumptions"] = ["registry hardware (simulate collective --node): NVLink per "
                              "direction = half the registry's 900 GB/s; NDR port 50 GB/s"]
        sim["remapped"] = "issue 21 (bench/real_world/remap_dev_cases.py)"
        return case
    if not sim or sim.get("command") != "training":
        return case
    rule = None
    if case["id"].startswith("megatron21_"):
        megatron21(case)
        rule = {"args": {}, "assumptions": []}
    elif case["id"].startswith("megascale24_"):
        rule = MEGASCALE
    elif case["id"].startswith("bloom176b_"):
        rule = BLOOM
    if rule is None:
        return case
    sim["args"].update(rule["args"])
    kept = [a for a in sim.get("assumptions", [])
            if not a.startswith(rule.get("drop_assumption_prefix", ("\0",)))]
    sim["assumptions"] = kept + rule["assumptions"] + [
        "model shapes from bench/real_world/registry_with_shapes.textproto (FFN width, "
        "vocabulary, tied embeddings, biases)"]
    sim["remapped"] = "issue 20 (bench/real_world/remap_dev_cases.py)"
    return case


def main():
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                print(json.dumps(remap(json.loads(line))))


if __name__ == "__main__":
    main()

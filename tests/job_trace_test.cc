// job_trace_test.cc — replaying recorded job traces (issue 23): the reader
// takes the public traces' common columns in any order and names the file,
// line and column of a bad row; FIFO and EASY backfilling replay a 5-job
// trace exactly as the schedule worked out by hand (tests/data/SOURCES.md
// §13); a trace whose jobs never overlap waits zero; the CLI and scenario
// field run it and refuse the Poisson stream's fields beside it.
#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "sim/queueing/cluster_scheduler.h"
#include "tests/cli_runner.h"
#include "traces/job_trace.h"

namespace mlsysim {
namespace {

const std::string kData = MLSYSIM_TEST_DATA_DIR;

TEST(JobTraceTest, ReadsColumnsByNameInAnyOrderAndSortsBySubmission) {
  auto jobs = LoadJobTrace(kData + "/jobs/five_jobs.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 5u);
  const char* ids[] = {"j0", "j1", "j2", "j3", "j4"};
  const double submit[] = {0, 1800, 3600, 5400, 14400};
  const int gpus[] = {4, 8, 2, 4, 6};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ((*jobs)[i].job_id, ids[i]);
    EXPECT_EQ((*jobs)[i].submit_s, submit[i]);
    EXPECT_EQ((*jobs)[i].gpus, gpus[i]);
  }
  EXPECT_EQ((*jobs)[1].status, "Killed");
  EXPECT_EQ((*jobs)[1].line, 4);
}

TEST(JobTraceTest, TimesAreRelativeToTheFirstSubmission) {
  auto jobs = ParseJobTrace("gpus,submit_time_s,duration_s\n2,1500000100,10\n1,1500000000,5\n",
                            "t.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  EXPECT_EQ((*jobs)[0].submit_s, 0);
  EXPECT_EQ((*jobs)[1].submit_s, 100);
  EXPECT_EQ((*jobs)[0].job_id, "line 3");
}

TEST(JobTraceTest, BadInputNamesFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"gpus,duration_s\n1,2\n", "t.csv:1: the header lacks the column(s) submit_time_s"},
      {"submit_time_s,gpus,duration_s,gpus\n0,1,1,1\n", "the column 'gpus' appears twice"},
      {"submit_time_s,gpus,duration_s\n0,1,10\n5,0,10\n", "t.csv:3: gpus: must be an integer"},
      {"submit_time_s,gpus,duration_s\n0,1,-1\n", "t.csv:2: duration_s: must be a number"},
      {"submit_time_s,gpus,duration_s\nx,1,1\n", "t.csv:2: submit_time_s"},
      {"submit_time_s,gpus,duration_s\n0,1\n", "t.csv:2: row: expected 3 columns"},
      {"submit_time_s,gpus,duration_s\n0,\"1\",1\n", "t.csv:2: a quoted field"},
      {"submit_time_s,gpus,duration_s\n0,1,nan\n", "duration_s"},
      {"submit_time_s,gpus,duration_s,priority\n0,1,1,high\n", "t.csv:2: priority"},
      {"submit_time_s,gpus,duration_s\n", "t.csv: no jobs"},
      {"", "t.csv: empty"},
  };
  for (const Case& c : cases) {
    auto r = ParseJobTrace(c.text, "t.csv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(std::string(r.status().message()).find(c.expect), std::string::npos)
        << r.status().message() << " / expected " << c.expect;
  }
  auto dir = LoadJobTrace(kData + "/jobs");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(std::string(dir.status().message()).find("job trace: cannot read"), std::string::npos);
}

ClusterJobsConfig Replay(const std::string& file, int gpus, SchedulerPolicy policy) {
  ClusterJobsConfig c;
  c.gpus = gpus;
  c.policy = policy;
  auto jobs = LoadJobTrace(kData + "/jobs/" + file);
  EXPECT_TRUE(jobs.ok()) << jobs.status();
  for (const JobTraceRow& j : *jobs)
    c.trace.push_back({j.submit_s / 3600, j.duration_s / 3600, j.gpus, j.priority});
  return c;
}

// Schedules worked out by hand in tests/data/SOURCES.md §13.
TEST(JobTraceTest, FifoReplaysTheHandSchedule) {
  auto r = SimulateClusterJobs(Replay("five_jobs.csv", 8, SchedulerPolicy::kFifo));
  ASSERT_TRUE(r.ok()) << r.status();
  const double start[] = {0, 2, 3, 3, 4}, end[] = {2, 3, 4, 3.5, 5};
  ASSERT_EQ(r->outcomes.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(r->outcomes[i].start_h, start[i]) << i;
    EXPECT_DOUBLE_EQ(r->outcomes[i].end_h, end[i]) << i;
  }
  ASSERT_EQ(r->waits_h[0].size(), 5u);
  double total = 0;
  for (double w : r->waits_h[0]) total += w;
  EXPECT_DOUBLE_EQ(total / 5, 1.0);
  EXPECT_DOUBLE_EQ(r->makespan_h, 5);
  EXPECT_DOUBLE_EQ(r->utilization, 26.0 / 40.0);
}

TEST(JobTraceTest, BackfillReplaysTheHandSchedule) {
  auto r = SimulateClusterJobs(Replay("five_jobs.csv", 8, SchedulerPolicy::kBackfill));
  ASSERT_TRUE(r.ok()) << r.status();
  const double start[] = {0, 2, 1, 3, 4};
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(r->outcomes[i].start_h, start[i]) << i;
}

TEST(JobTraceTest, JobsThatNeverOverlapNeverWait) {
  for (SchedulerPolicy p : {SchedulerPolicy::kFifo, SchedulerPolicy::kBackfill}) {
    auto r = SimulateClusterJobs(Replay("no_overlap.csv", 8, p));
    ASSERT_TRUE(r.ok()) << r.status();
    for (double w : r->waits_h[0]) EXPECT_EQ(w, 0);
    EXPECT_DOUBLE_EQ(r->makespan_h, 4911.0 / 3600);  // the last job: submitted at 4901 s, 10 s
  }
}

TEST(JobTraceTest, CommandLineReplaysATraceAndRefusesTheStreamBesideIt) {
  const std::string trace = kData + "/jobs/five_jobs.csv";
  CliRun r = Mlsysim({"-o", "json", "simulate", "jobs", "--gpus", "8", "--job-trace", trace});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"makespan_h\""), std::string::npos);
  EXPECT_NE(r.out.find("\"wait_mean_h\""), std::string::npos);
  r = Mlsysim({"simulate", "jobs", "--gpus", "8", "--job-trace", trace, "--arrival-rate", "3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("job_queue.arrival_rate_per_day (--arrival-rate)"), std::string::npos)
      << r.err;
  r = Mlsysim({"simulate", "jobs", "--gpus", "4", "--job-trace", trace});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("five_jobs.csv:4: job 'j1' asks for 8 GPUs; the queue has 4"),
            std::string::npos)
      << r.err;
  r = Mlsysim({"simulate", "jobs", "--gpus", "8", "--job-trace", kData + "/jobs/missing.csv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("job_queue.job_trace (--job-trace): job trace: cannot read"),
            std::string::npos)
      << r.err;
}

TEST(JobTraceTest, SharedClusterFormReplaysTheHandScheduleAndNamesBadFields) {
  // The 5-job trace on one 8-GPU node with placement: every job fits one
  // node (they pack), nothing crosses the fabric, so FIFO is the hand
  // schedule of FifoReplaysTheHandSchedule, beside the GPU-count scheduler.
  const std::string trace = kData + "/jobs/five_jobs.csv";
  CliRun r = Mlsysim({"-o", "json", "simulate", "jobs", "--job-trace", trace, "--placement",
                      "first-fit", "--nodes", "1"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  for (const char* expect : {R"("name":"wait_mean_h","unit":"h","simulated":1,"analytic":1,)",
                             R"("name":"makespan_h","unit":"h","simulated":5,"analytic":5,)"}) {
    EXPECT_NE(r.out.find(expect), std::string::npos) << expect << "\n" << r.out.substr(0, 3000);
  }
  struct Case {
    std::vector<std::string> args;
    const char* expect;
  } cases[] = {
      {{"--placement", "tight", "--nodes", "1"},
       "job_queue.placement (--placement): unknown placement 'tight'; accepted: contiguous, "
       "first-fit, topology-aware"},
      {{"--placement", "first-fit"}, "--nodes is required with --placement"},
      {{"--placement", "first-fit", "--nodes", "2", "--job-model", "GPT9"},
       "job_queue.job_training.model (--job-model): unknown model 'GPT9'"},
      {{"--placement", "first-fit", "--nodes", "2", "--contention", "maybe"},
       "job_queue.contention (--contention): 'maybe'; accepted: on, off"},
      {{"--placement", "first-fit", "--nodes", "2", "--policy", "priority"},
       "job_queue.policy (--policy): a shared cluster schedules fifo or backfill"},
      {{"--placement", "first-fit", "--nodes", "2", "--gpus", "16"}, "--gpus: not with --placement"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"simulate", "jobs", "--job-trace", trace};
    args.insert(args.end(), c.args.begin(), c.args.end());
    r = Mlsysim(args);
    EXPECT_EQ(r.code, 1) << c.expect;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }
}

TEST(JobTraceTest, AServingTraceSharesTheClusterWithAReactiveAutoscaler) {
  // A fleet replaying a request trace (a load curve of any shape) beside the
  // placed 5-job trace, on one engine; the predictive autoscaler needs a
  // stream's rate and refuses a trace by name.
  const std::string path = ::testing::TempDir() + "/shared_trace.textproto";
  auto write = [&](const std::string& autoscaler) {
    std::ofstream(path) << "cluster { nodes: 4 node: \"DGX_H100\" }\n"
                        << "serving { model: \"Llama3_8B\" hardware: \"H100\" tp: 8 replicas: 2 "
                        << "trace_file: \"" << kData << "/azure_sample.csv\" }\n"
                        << "job_queue { job_trace: \"" << kData << "/jobs/five_jobs.csv\" "
                        << "placement: \"first-fit\" autoscale_interval: \"1 s\" autoscaler: \""
                        << autoscaler << "\" }\n";
  };
  write("reactive");
  CliRun r = Mlsysim({"-o", "json", "simulate", path});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("form":"serving+jobs")"), std::string::npos);
  EXPECT_NE(r.out.find(R"("name":"serving_replicas_mean")"), std::string::npos);
  write("predictive");
  r = Mlsysim({"simulate", path});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("job_queue.autoscaler: predictive sizes the fleet for one stream"),
            std::string::npos)
      << r.err;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace mlsysim

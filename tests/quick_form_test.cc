// quick_form_test.cc — the quick forms (sim/forms/): every flag a form reads
// is listed in its --help, the CLI's argv and Python's keywords fill the same
// Scenario, and keyword misuse is refused in keyword terms.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sim/forms/quick_form.h"

namespace mlsysim {
namespace {

using Keywords = std::vector<std::pair<std::string, std::optional<std::string>>>;

TEST(QuickFormTest, EveryFormsHelpListsEveryFlag) {
  ASSERT_EQ(QuickFormNames().size(), 6u);
  for (const std::string& name : QuickFormNames()) {
    const QuickForm* form = FindQuickForm(name);
    ASSERT_NE(form, nullptr) << name;
    EXPECT_FALSE(form->options.empty()) << name;
    for (const OptionSpec& o : form->options) {
      EXPECT_NE(form->help.find(o.long_name), std::string::npos) << name << " " << o.long_name;
    }
  }
  EXPECT_EQ(FindQuickForm("trainig"), nullptr);
}

TEST(QuickFormTest, ArgvAndKeywordsFillTheSameScenario) {
  struct Case {
    std::string form;
    std::vector<std::string> argv;
    Keywords keywords;
  };
  const std::vector<Case> cases = {
      {"training",
       {"--model", "Llama3_8B", "--nodes", "2", "--tp", "8", "--batch-size", "64", "--no-overlap",
        "--days", "3"},
       {{"model", "Llama3_8B"},
        {"nodes", "2"},
        {"tp", "8"},
        {"batch_size", "64"},
        {"no_overlap", std::nullopt},
        {"days", "3"}}},
      {"serving",
       {"--model", "Llama3_8B", "--hardware", "H100", "--replicas", "2", "--requests", "100",
        "--tenant", "a/5/1", "--tenant", "b/2/0/4"},
       {{"model", "Llama3_8B"},
        {"hardware", "H100"},
        {"replicas", "2"},
        {"requests", "100"},
        {"tenant", "a/5/1"},
        {"tenant", "b/2/0/4"}}},
      {"queue",
       {"--servers", "2", "--arrival-rate", "1.5", "--service-time", "1", "--requests", "1000"},
       {{"servers", "2"}, {"arrival_rate", "1.5"}, {"service_time", "1"}, {"requests", "1000"}}},
      {"jobs",
       {"--gpus", "64", "--arrival-rate", "4", "--duration", "6", "--job-gpus", "8,16"},
       {{"gpus", "64"}, {"arrival_rate", "4"}, {"duration", "6"}, {"job_gpus", "8,16"}}},
      {"collective",
       {"--node", "DGX_H100", "--nodes", "2", "--message", "1GB", "--no-aggregation"},
       {{"node", "DGX_H100"}, {"nodes", "2"}, {"message", "1GB"}, {"no_aggregation", {}}}},
      {"chakra",
       {"--workload", "w/x", "--network", "n.yml", "--system", "s.json"},
       {{"workload", "w/x"}, {"network", "n.yml"}, {"system", "s.json"}}},
  };
  for (const Case& c : cases) {
    const QuickForm& form = *FindQuickForm(c.form);
    auto call = ParseQuickForm(form, c.argv);
    ASSERT_TRUE(call.ok()) << c.form << ": " << call.status();
    auto from_keywords = QuickFormFromKeywords(form, c.keywords);
    ASSERT_TRUE(from_keywords.ok()) << c.form << ": " << from_keywords.status();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(call->scenario, *from_keywords))
        << c.form << "\nargv:\n"
        << call->scenario.DebugString() << "keywords:\n"
        << from_keywords->DebugString();
  }
  // What the flags say lands in the fields the table names.
  auto s = QuickFormFromKeywords(TrainingForm(), cases[0].keywords);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->training().tp(), 8);
  EXPECT_EQ(s->cluster().nodes(), 2);
  EXPECT_FALSE(s->training().overlap_gradients());  // --no-overlap
  EXPECT_EQ(s->training().duration(), "3 day");
}

TEST(QuickFormTest, KeywordMisuseIsRefusedInKeywords) {
  const QuickForm& queue = QueueForm();
  auto typo = QuickFormFromKeywords(queue, {{"servrs", "2"}});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find(
                "simulate.queue(): unknown keyword 'servrs' (did you mean 'servers'?)"),
            std::string::npos)
      << typo.status();
  auto bare = QuickFormFromKeywords(queue, {{"servers", std::nullopt}});
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("servers needs a value"), std::string::npos);
  auto valued = QuickFormFromKeywords(CollectiveForm(), {{"no_aggregation", "yes"}});
  ASSERT_FALSE(valued.ok());
  EXPECT_NE(valued.status().message().find("takes True or False"), std::string::npos);
  // A range error names the field and the flag, bounds written in full.
  auto range = QuickFormFromKeywords(
      ServingForm(),
      {{"model", "M"}, {"hardware", "H"}, {"replicas", "0"}, {"qps", "1"}, {"requests", "10"}});
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().message(),
            "serving.replicas (--replicas): must lie in [1, 1048576]; got 0");
}

TEST(QuickFormTest, FullGoesWithDumpScenario) {
  auto call = ParseQuickForm(QueueForm(), {"--servers", "2", "--arrival-rate", "1",
                                           "--service-time", "1", "--requests", "1000", "--full"});
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().message(), "--full goes with --dump-scenario");
  auto help = ParseQuickForm(QueueForm(), {"-h"});
  ASSERT_TRUE(help.ok());
  EXPECT_TRUE(help->help);
}

}  // namespace
}  // namespace mlsysim

// records.h — result records (mlsysim field names, §9 units) shared by `solve`,
// `eval`, `serve` and `optimize`, and an aligned text-table printer.
// Usage: std::string json = EngineRecord(result).ToJson();
#ifndef MLSYSIM_ANALYTIC_SOLVERS_RECORDS_H_
#define MLSYSIM_ANALYTIC_SOLVERS_RECORDS_H_

#include <string>
#include <vector>

#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "traces/json_writer.h"

namespace mlsysim {

Record EngineRecord(const EngineResult& r);
Record ServingRecord(const ServingResult& r);
Record TailLatencyRecord(const TailLatencyResult& r);
Record DistributedRecord(const DistributedResult& r);
Record SustainabilityRecord(const SustainabilityResult& r, bool with_embodied);
Record EconomicsRecord(const EconomicsResult& r);
Record ParallelismRecord(const ParallelismResult& r);
Record BatchingRecord(const BatchingResult& r);
Record PlacementRecord(const PlacementResult& r);

// An aligned table: a header row (units in the headers) and data rows.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SOLVERS_RECORDS_H_

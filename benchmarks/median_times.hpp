// A console reporter that also keeps each benchmark's CPU time (the median
// when repetitions are asked for, else the single run), so that a program
// can print ratios of benchmarks of the same run after the usual table.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace tlmmap::bench {

class MedianTimes : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool aggregate = r.run_type == Run::RT_Aggregate;
      if (aggregate ? r.aggregate_name != "median" : r.iterations == 0) continue;
      if (!aggregate && r.repetitions > 1) continue;
      times_[r.run_name.function_name] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // "  WHAT: xRATIO of BASE (T1 vs T2)", or nothing if either did not run.
  void print_ratio(const std::string& what, const std::string& base) {
    if (!ran(what) || !ran(base) || time(base) <= 0) return;
    GetOutputStream() << "  " << what << ": x" << time(what) / time(base) << " of " << base << " (" << time(what)
                      << " vs " << time(base) << ")\n";
  }

  // Whether a benchmark ran, and its CPU time (0 if it did not run).
  bool ran(const std::string& name) const { return times_.count(name) != 0; }
  double time(const std::string& name) const {
    const auto it = times_.find(name);
    return it == times_.end() ? 0.0 : it->second;
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace tlmmap::bench

#include "driver/proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"

namespace tether::bench {

absl::StatusOr<double> ProcessCpuSeconds(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/stat");
  std::ifstream file(path);
  std::string text;
  if (!std::getline(file, text)) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  // The command name (field 2) may hold spaces; the fields after its closing ')' are fixed.
  const std::size_t name_end = text.rfind(')');
  if (name_end == std::string::npos) return absl::InternalError(absl::StrCat("malformed ", path));
  std::istringstream fields(text.substr(name_end + 2));
  std::string skipped;
  for (int field = 3; field < 14; ++field) fields >> skipped;  // state .. cmajflt
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return absl::InternalError(absl::StrCat("malformed ", path));
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

absl::StatusOr<double> ResidentKiB(pid_t pid) {
  const std::string path = absl::StrCat("/proc/", pid, "/status");
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
  }
  return absl::NotFoundError(absl::StrCat("no VmRSS in ", path));
}

}  // namespace tether::bench

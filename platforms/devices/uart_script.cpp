#include "tlmmap/devices/uart_script.hpp"

#include <fstream>
#include <sstream>

#include <systemc>

namespace tlmmap {

namespace {
void refuse(const std::string& message) { SC_REPORT_ERROR("tlmmap/devices", message.c_str()); }
}  // namespace

UartScript UartScript::parse(const std::string& text, const std::string& origin) {
  UartScript script;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] == '#') continue;
    if (!line.empty() && line[0] == '@') {
      const std::size_t space = line.find(' ');
      const std::string word = line.substr(1, space == std::string::npos ? std::string::npos : space - 1);
      const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
      Step::Kind kind;
      if (word == "prompt") {
        kind = Step::Kind::prompt;
      } else if (word == "wait") {
        kind = Step::Kind::wait;
      } else if (word == "send") {
        kind = Step::Kind::send;
      } else {
        refuse(origin + ":" + std::to_string(number) + ": unknown directive '@" + word +
               "' (expected @prompt, @wait or @send)");
        return {};
      }
      if (rest.empty()) {
        refuse(origin + ":" + std::to_string(number) + ": '@" + word + "' needs a text");
        return {};
      }
      script.steps_.push_back({kind, rest});
      continue;
    }
    script.steps_.push_back({Step::Kind::line, line});
  }
  return script;
}

UartScript UartScript::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    refuse("cannot read the UART input script '" + path + "'");
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void UartScript::start() { advance(); }

void UartScript::save_state(DeviceState& state, const std::string& prefix) const {
  state[prefix + "next"] = next_;
  state[prefix + "steps"] = steps_.size();
  save_bytes(state, prefix + "seen", seen_);
}

void UartScript::restore_state(const DeviceState& state, const std::string& prefix) {
  const uint64_t steps = state_value(state, prefix + "steps");
  const uint64_t next = state_value(state, prefix + "next");
  if (steps != steps_.size() || next > steps) {
    refuse("the UART input script has " + std::to_string(steps_.size()) + " steps; the checkpoint's had " +
           std::to_string(steps) + " (another script?)");
    return;
  }
  next_ = next;
  seen_ = bytes_value(state, prefix + "seen");
  prompt_ = kDefaultPrompt;  // as the @prompt steps before the position left it
  for (std::size_t i = 0; i < next_; ++i) {
    if (steps_[i].kind == Step::Kind::prompt) prompt_ = steps_[i].text;
  }
}

void UartScript::output(char c) {
  if (finished()) return;
  seen_.push_back(c);
  advance();
}

void UartScript::advance() {
  while (!finished()) {
    const Step& step = steps_[next_];
    switch (step.kind) {
      case Step::Kind::prompt:
        prompt_ = step.text;
        break;
      case Step::Kind::wait:
      case Step::Kind::line: {
        const std::string& awaited = step.kind == Step::Kind::wait ? step.text : prompt_;
        const std::size_t at = seen_.find(awaited);
        if (at == std::string::npos) return;
        seen_.erase(0, at + awaited.size());
        if (step.kind == Step::Kind::line) {
          seen_.clear();
          if (send_) send_(step.text + "\n");
        }
        break;
      }
      case Step::Kind::send:
        seen_.clear();
        if (send_) send_(step.text);
        break;
    }
    ++next_;
  }
}

}  // namespace tlmmap

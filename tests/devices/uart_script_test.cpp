// The UART input script: lines typed at the prompt, @wait, @send, @prompt.
#include <gtest/gtest.h>

#include "support/map_text.hpp"
#include "tlmmap/devices/uart_script.hpp"

namespace {

struct Console {
  tlmmap::UartScript script;
  std::string typed;
  explicit Console(const std::string& text) : script(tlmmap::UartScript::parse(text)) {
    script.set_sender([this](const std::string& s) { typed += s; });
    script.start();
  }
  void print(const std::string& s) {
    for (char c : s) script.output(c);
  }
};

TEST(UartScript, EachLineIsTypedOnceThePromptHasBeenPrinted) {
  Console c("version\n\nsbi\n");
  EXPECT_EQ(c.typed, "");
  c.print("U-Boot\n=");
  EXPECT_EQ(c.typed, "");
  c.print("> ");
  EXPECT_EQ(c.typed, "version\n");
  c.print("version\nU-Boot 2023.01\n=> ");
  EXPECT_EQ(c.typed, "version\n\n");
  c.print("=> ");
  EXPECT_EQ(c.typed, "version\n\nsbi\n");
  EXPECT_TRUE(c.script.finished());
}

TEST(UartScript, WaitAndSendStopACountdown) {
  Console c("# stop autoboot\n@wait autoboot:\n@send x\nversion\n");
  c.print("Hit any key to stop autoboot:  2 ");
  EXPECT_EQ(c.typed, "x");
  c.print("\b\b\b 0 \n=> ");
  EXPECT_EQ(c.typed, "xversion\n");
}

TEST(UartScript, PromptDirectiveChangesWhatIsAwaitedAndEachPromptCountsOnce) {
  Console c("@prompt $ \nls\npwd\n");
  c.print("=> ");
  EXPECT_EQ(c.typed, "");
  c.print("$ ");
  EXPECT_EQ(c.typed, "ls\n");
  c.print("ls\nfile\n");  // output after the send, no prompt yet
  EXPECT_EQ(c.typed, "ls\n");
  c.print("$ ");
  EXPECT_EQ(c.typed, "ls\npwd\n");
}

TEST(UartScript, UnknownDirectivesAreRefusedNamingTheLine) {
  EXPECT_EQ(tlmmap::test::error_of([] { tlmmap::UartScript::parse("version\n@expect =>\n", "boot.txt"); }),
            "boot.txt:2: unknown directive '@expect' (expected @prompt, @wait or @send)");
  EXPECT_EQ(tlmmap::test::error_of([] { tlmmap::UartScript::parse("@wait\n", "boot.txt"); }),
            "boot.txt:1: '@wait' needs a text");
}

// A checkpoint between two steps, with half a prompt printed: a console
// restored from it (the same script) types the next line once the prompt's
// other half comes, and not before; another script is refused.
TEST(UartScript, ACheckpointKeepsThePositionAndAPromptPrintedInPart) {
  const std::string text = "@prompt # \nls\nversion\n";
  Console first(text);
  first.print("# ");
  EXPECT_EQ(first.typed, "ls\n");
  first.print("ls\nbin etc\n#");
  tlmmap::DeviceState state;
  first.script.save_state(state, "uart.script.");
  EXPECT_EQ(state.at("uart.script.next"), 2u);
  EXPECT_EQ(tlmmap::bytes_value(state, "uart.script.seen"), "ls\nbin etc\n#");

  Console second(text);
  second.script.restore_state(state, "uart.script.");
  second.print(" ");
  EXPECT_EQ(second.typed, "version\n") << "the restored prompt is '# ', and its '#' was seen before the checkpoint";
  EXPECT_TRUE(second.script.finished());

  Console other("version\n");
  EXPECT_EQ(tlmmap::test::error_of([&] { other.script.restore_state(state, "uart.script."); }),
            "the UART input script has 1 steps; the checkpoint's had 3 (another script?)");
}

}  // namespace

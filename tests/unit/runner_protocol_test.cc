// The runner's protocol bookkeeping, without an engine: which commands are replays, which events
// are still owed, and what a close reason means.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "link/close_reason.h"
#include "protocol/command_ledger.h"
#include "protocol/event_log.h"

namespace tether {
namespace {

namespace v7 = proto::v7;
using Clock = std::chrono::steady_clock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v7::ActorCheckpoint At(const std::string& actor, std::uint32_t generation, std::int64_t index) {
  return {actor, generation, index};
}

TEST(CommandLedger, AdmitsEachCommandOnceAndSkipsReplays) {
  protocol::CommandLedger ledger;
  EXPECT_TRUE(ledger.Admit(At("a", 0, 0)));
  EXPECT_TRUE(ledger.Admit(At("a", 0, 1)));
  // After a reconnect the engine replays everything it has not seen acknowledged.
  EXPECT_FALSE(ledger.Admit(At("a", 0, 0)));
  EXPECT_FALSE(ledger.Admit(At("a", 0, 1)));
  EXPECT_TRUE(ledger.Admit(At("a", 0, 2)));
  EXPECT_TRUE(ledger.Admit(At("b", 0, 0))) << "indexes are per actor";
}

TEST(CommandLedger, SkipsCommandsOfGenerationsTheActorHasLeft) {
  protocol::CommandLedger ledger;
  EXPECT_TRUE(ledger.Admit(At("a", 0, 0)));
  EXPECT_TRUE(ledger.Admit(At("a", 1, 0))) << "a new generation counts from 0 again";
  EXPECT_FALSE(ledger.Admit(At("a", 0, 1))) << "a replayed command of the old generation";
}

TEST(CommandLedger, AcknowledgesTheLastAppliedIndexOnce) {
  protocol::CommandLedger ledger;
  ledger.Admit(At("a", 0, 0));
  ledger.Admit(At("a", 0, 1));
  ledger.Admit(At("b", 2, 0));
  const auto acks = ledger.PendingAcks();
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0], At("a", 0, 1));
  EXPECT_EQ(acks[1], At("b", 2, 0));
  ledger.MarkAcked(acks, Clock::now());
  EXPECT_TRUE(ledger.PendingAcks().empty());
  ledger.Admit(At("a", 0, 2));
  EXPECT_THAT(ledger.PendingAcks(), ElementsAre(At("a", 0, 2)));
}

TEST(CommandLedger, ForgetsStoppedActorsOnlyLongAfterTheirAck) {
  protocol::CommandLedger ledger;
  ledger.Admit(At("a", 0, 0));
  const auto acked_at = Clock::now();
  ledger.MarkAcked(ledger.PendingAcks(), acked_at);
  // Acknowledged too recently: the engine may still replay.
  EXPECT_TRUE(ledger.ForgetStopped({"a"}, acked_at).empty());
  EXPECT_FALSE(ledger.Admit(At("a", 0, 0)));
  EXPECT_THAT(ledger.ForgetStopped({"a"}, acked_at + std::chrono::seconds(1)), ElementsAre("a"));
  EXPECT_TRUE(ledger.Admit(At("a", 0, 0))) << "forgotten after the retention";
}

TEST(EventLog, NumbersEventsPerActorGenerationAndKeepsThemUntilAcknowledged) {
  protocol::EventLog log;
  const v7::Event running = v7::EventActorStateUpdate{v7::ActorStateRunning{}};
  EXPECT_EQ(log.Append("a", 0, running).checkpoint, At("a", 0, 0));
  EXPECT_EQ(log.Append("a", 0, running).checkpoint, At("a", 0, 1));
  EXPECT_EQ(log.Append("a", 1, running).checkpoint, At("a", 1, 0));
  EXPECT_EQ(log.Append("b", 0, running).checkpoint, At("b", 0, 0));
  EXPECT_EQ(log.Unacknowledged().size(), 4u);

  log.Acknowledge({At("a", 0, 0)});
  const auto pending = log.Unacknowledged();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].checkpoint, At("a", 0, 1));
}

TEST(EventLog, KeepsEventsOfDepartedActorsUntilAcknowledgedOrExpired) {
  protocol::EventLog log;
  log.Append("a", 0, v7::EventActorStateUpdate{v7::ActorStateStopped{v7::StopCode::kOk, std::nullopt}});
  const auto left = Clock::now();
  log.Retire("a", 0, left);
  log.Expire(left - std::chrono::seconds(1));
  EXPECT_EQ(log.Unacknowledged().size(), 1u) << "a Stopped lost with a connection must be resent";
  log.Expire(left + std::chrono::seconds(1));
  EXPECT_TRUE(log.Unacknowledged().empty());
}

TEST(CloseReason, ParsesGroupCodeAndRayId) {
  const link::CloseReason r = link::ParseCloseReason(1011, "namespace.not_found#abc123");
  EXPECT_EQ(r.group, "namespace");
  EXPECT_EQ(r.name, "not_found");
  EXPECT_EQ(r.ray_id, "abc123");
  EXPECT_EQ(r.id(), "namespace.not_found");
}

TEST(CloseReason, ClassifiesWhatReconnectingCannotFix) {
  using link::CloseKind;
  auto kind = [](const char* reason, bool before_init) {
    return link::Classify(link::ParseCloseReason(1011, reason), before_init);
  };
  EXPECT_EQ(kind("namespace.not_found#x", true), CloseKind::kFatal);
  EXPECT_EQ(kind("api.forbidden#x", true), CloseKind::kFatal);
  EXPECT_EQ(kind("guard.missing_header#x", true), CloseKind::kFatal);
  EXPECT_EQ(kind("ws.invalid_packet#x", true), CloseKind::kFatal) << "before Init: protocol version refused";
  EXPECT_EQ(kind("ws.invalid_packet#x", false), CloseKind::kTransient) << "after Init: one frame refused";
  EXPECT_EQ(kind("ws.eviction#x", false), CloseKind::kEvicted);
  EXPECT_EQ(kind("ws.going_away#x", false), CloseKind::kGoingAway);
  EXPECT_EQ(kind("ws.timed_out_waiting_for_init#x", true), CloseKind::kTransient);
  EXPECT_EQ(kind("", false), CloseKind::kTransient);
}

TEST(CloseReason, ExplainsTheCauseAndKeepsTheRawReason) {
  const std::string text = link::Explain(link::ParseCloseReason(1011, "namespace.not_found#r1"), "prod");
  EXPECT_THAT(text, HasSubstr("namespace \"prod\" does not exist"));
  EXPECT_THAT(text, HasSubstr("[close 1011 namespace.not_found#r1]"));
}

}  // namespace
}  // namespace tether

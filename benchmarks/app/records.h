/* The benchmark app's data model: 100 record types, their field lists drawn at random once. */

#define FIELDS_account(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(I64, f1_i64) \
  X(B32, f2_b32) \
  X(U8, f3_u8) \
  X(U8, f4_u8) \
  X(STR, f5_str)
RECORD(account, FIELDS_account)

#define FIELDS_proposal(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(STR, f1_str) \
  X(U8, f2_u8) \
  X(STR, f3_str)
RECORD(proposal, FIELDS_proposal)

#define FIELDS_vote(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U8, f1_u8) \
  X(I64, f2_i64) \
  X(I64, f3_i64) \
  X(U8, f4_u8)
RECORD(vote, FIELDS_vote)

#define FIELDS_member(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(STR, f1_str) \
  X(I64, f2_i64) \
  X(U8, f3_u8) \
  X(STR, f4_str)
RECORD(member, FIELDS_member)

#define FIELDS_role(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(B32, f1_b32) \
  X(B32, f2_b32) \
  X(STR, f3_str)
RECORD(role, FIELDS_role)

#define FIELDS_invite(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(STR, f1_str) \
  X(I64, f2_i64) \
  X(U8, f3_u8)
RECORD(invite, FIELDS_invite)

#define FIELDS_message(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(STR, f1_str) \
  X(U32, f2_u32) \
  X(U64, f3_u64) \
  X(I64, f4_i64)
RECORD(message, FIELDS_message)

#define FIELDS_thread(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U8, f1_u8) \
  X(STR, f2_str) \
  X(U64, f3_u64) \
  X(STR, f4_str)
RECORD(thread, FIELDS_thread)

#define FIELDS_channel(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U32, f1_u32) \
  X(U8, f2_u8) \
  X(STR, f3_str) \
  X(STR, f4_str) \
  X(B32, f5_b32) \
  X(U32, f6_u32) \
  X(U64, f7_u64) \
  X(U8, f8_u8) \
  X(STR, f9_str)
RECORD(channel, FIELDS_channel)

#define FIELDS_reaction(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(STR, f1_str) \
  X(U8, f2_u8) \
  X(STR, f3_str) \
  X(U32, f4_u32) \
  X(I64, f5_i64) \
  X(B32, f6_b32) \
  X(STR, f7_str) \
  X(I64, f8_i64)
RECORD(reaction, FIELDS_reaction)

#define FIELDS_asset(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(I64, f1_i64) \
  X(STR, f2_str) \
  X(I64, f3_i64) \
  X(U64, f4_u64) \
  X(U64, f5_u64) \
  X(U32, f6_u32) \
  X(U32, f7_u32) \
  X(B32, f8_b32) \
  X(U32, f9_u32)
RECORD(asset, FIELDS_asset)

#define FIELDS_transfer(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U64, f1_u64) \
  X(STR, f2_str) \
  X(I64, f3_i64)
RECORD(transfer, FIELDS_transfer)

#define FIELDS_escrow(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(I64, f1_i64) \
  X(U64, f2_u64) \
  X(STR, f3_str) \
  X(U8, f4_u8) \
  X(U8, f5_u8)
RECORD(escrow, FIELDS_escrow)

#define FIELDS_order(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U32, f1_u32) \
  X(U64, f2_u64) \
  X(U32, f3_u32) \
  X(I64, f4_i64) \
  X(I64, f5_i64) \
  X(U8, f6_u8) \
  X(B32, f7_b32)
RECORD(order, FIELDS_order)

#define FIELDS_bid(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(STR, f1_str) \
  X(U64, f2_u64) \
  X(U64, f3_u64)
RECORD(bid, FIELDS_bid)

#define FIELDS_auction(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(STR, f1_str) \
  X(I64, f2_i64) \
  X(STR, f3_str) \
  X(I64, f4_i64) \
  X(U8, f5_u8) \
  X(U8, f6_u8) \
  X(U64, f7_u64) \
  X(I64, f8_i64)
RECORD(auction, FIELDS_auction)

#define FIELDS_invoice(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U8, f1_u8) \
  X(U8, f2_u8) \
  X(B32, f3_b32) \
  X(B32, f4_b32) \
  X(U64, f5_u64) \
  X(B32, f6_b32) \
  X(STR, f7_str) \
  X(B32, f8_b32)
RECORD(invoice, FIELDS_invoice)

#define FIELDS_payment(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U64, f1_u64) \
  X(B32, f2_b32) \
  X(I64, f3_i64) \
  X(B32, f4_b32) \
  X(U64, f5_u64) \
  X(U8, f6_u8) \
  X(I64, f7_i64) \
  X(U64, f8_u64) \
  X(U32, f9_u32)
RECORD(payment, FIELDS_payment)

#define FIELDS_refund(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(U32, f3_u32) \
  X(U64, f4_u64) \
  X(U32, f5_u32) \
  X(B32, f6_b32) \
  X(U32, f7_u32)
RECORD(refund, FIELDS_refund)

#define FIELDS_ledger_entry(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(U32, f3_u32) \
  X(I64, f4_i64) \
  X(I64, f5_i64) \
  X(STR, f6_str)
RECORD(ledger_entry, FIELDS_ledger_entry)

#define FIELDS_profile(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(I64, f1_i64) \
  X(STR, f2_str) \
  X(U64, f3_u64) \
  X(B32, f4_b32) \
  X(I64, f5_i64)
RECORD(profile, FIELDS_profile)

#define FIELDS_device(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(I64, f1_i64) \
  X(U32, f2_u32) \
  X(U32, f3_u32) \
  X(U8, f4_u8) \
  X(U32, f5_u32)
RECORD(device, FIELDS_device)

#define FIELDS_session(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(B32, f1_b32) \
  X(U32, f2_u32) \
  X(U8, f3_u8) \
  X(I64, f4_i64)
RECORD(session, FIELDS_session)

#define FIELDS_key_share(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U32, f1_u32) \
  X(U64, f2_u64) \
  X(U64, f3_u64) \
  X(U8, f4_u8) \
  X(U32, f5_u32) \
  X(I64, f6_i64) \
  X(STR, f7_str) \
  X(U64, f8_u64) \
  X(STR, f9_str)
RECORD(key_share, FIELDS_key_share)

#define FIELDS_approval(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U32, f1_u32) \
  X(B32, f2_b32) \
  X(STR, f3_str) \
  X(STR, f4_str) \
  X(B32, f5_b32) \
  X(B32, f6_b32) \
  X(B32, f7_b32)
RECORD(approval, FIELDS_approval)

#define FIELDS_policy(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(B32, f1_b32) \
  X(STR, f2_str) \
  X(I64, f3_i64)
RECORD(policy, FIELDS_policy)

#define FIELDS_quota(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(I64, f3_i64) \
  X(B32, f4_b32) \
  X(I64, f5_i64) \
  X(U8, f6_u8)
RECORD(quota, FIELDS_quota)

#define FIELDS_tag(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U32, f1_u32) \
  X(I64, f2_i64) \
  X(U32, f3_u32) \
  X(U8, f4_u8)
RECORD(tag, FIELDS_tag)

#define FIELDS_label(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U8, f1_u8) \
  X(U8, f2_u8) \
  X(U8, f3_u8) \
  X(STR, f4_str) \
  X(U32, f5_u32)
RECORD(label, FIELDS_label)

#define FIELDS_comment(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U64, f1_u64) \
  X(STR, f2_str) \
  X(U8, f3_u8) \
  X(U8, f4_u8) \
  X(U32, f5_u32) \
  X(STR, f6_str) \
  X(I64, f7_i64)
RECORD(comment, FIELDS_comment)

#define FIELDS_document(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U64, f1_u64) \
  X(U64, f2_u64) \
  X(STR, f3_str) \
  X(U64, f4_u64)
RECORD(document, FIELDS_document)

#define FIELDS_revision(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U8, f1_u8) \
  X(I64, f2_i64) \
  X(I64, f3_i64) \
  X(I64, f4_i64) \
  X(I64, f5_i64) \
  X(U64, f6_u64)
RECORD(revision, FIELDS_revision)

#define FIELDS_task(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U8, f1_u8) \
  X(B32, f2_b32) \
  X(U64, f3_u64)
RECORD(task, FIELDS_task)

#define FIELDS_milestone(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(I64, f1_i64) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(STR, f4_str) \
  X(U8, f5_u8) \
  X(U32, f6_u32) \
  X(STR, f7_str) \
  X(U64, f8_u64)
RECORD(milestone, FIELDS_milestone)

#define FIELDS_sprint(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(STR, f1_str) \
  X(U8, f2_u8) \
  X(STR, f3_str) \
  X(U64, f4_u64)
RECORD(sprint, FIELDS_sprint)

#define FIELDS_review(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(B32, f1_b32) \
  X(U64, f2_u64) \
  X(STR, f3_str) \
  X(U64, f4_u64) \
  X(U32, f5_u32) \
  X(U64, f6_u64) \
  X(U32, f7_u32) \
  X(STR, f8_str)
RECORD(review, FIELDS_review)

#define FIELDS_ticket(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U64, f1_u64) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(STR, f4_str) \
  X(U32, f5_u32) \
  X(U32, f6_u32) \
  X(I64, f7_i64)
RECORD(ticket, FIELDS_ticket)

#define FIELDS_release(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U32, f1_u32) \
  X(STR, f2_str) \
  X(I64, f3_i64) \
  X(U64, f4_u64) \
  X(B32, f5_b32) \
  X(U8, f6_u8) \
  X(U8, f7_u8) \
  X(U64, f8_u64)
RECORD(release, FIELDS_release)

#define FIELDS_artifact(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U32, f1_u32) \
  X(B32, f2_b32) \
  X(STR, f3_str) \
  X(U64, f4_u64) \
  X(I64, f5_i64) \
  X(B32, f6_b32)
RECORD(artifact, FIELDS_artifact)

#define FIELDS_build(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U8, f1_u8) \
  X(U32, f2_u32) \
  X(U8, f3_u8) \
  X(U32, f4_u32) \
  X(I64, f5_i64)
RECORD(build, FIELDS_build)

#define FIELDS_score(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U32, f1_u32) \
  X(I64, f2_i64) \
  X(STR, f3_str) \
  X(STR, f4_str)
RECORD(score, FIELDS_score)

#define FIELDS_match(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(I64, f1_i64) \
  X(B32, f2_b32) \
  X(U64, f3_u64) \
  X(B32, f4_b32) \
  X(U8, f5_u8) \
  X(B32, f6_b32) \
  X(U8, f7_u8) \
  X(I64, f8_i64) \
  X(B32, f9_b32)
RECORD(match, FIELDS_match)

#define FIELDS_team(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(I64, f1_i64) \
  X(U32, f2_u32) \
  X(I64, f3_i64) \
  X(B32, f4_b32) \
  X(U64, f5_u64) \
  X(U8, f6_u8) \
  X(B32, f7_b32) \
  X(I64, f8_i64) \
  X(I64, f9_i64)
RECORD(team, FIELDS_team)

#define FIELDS_player(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U8, f1_u8) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(U32, f4_u32) \
  X(U32, f5_u32) \
  X(U8, f6_u8)
RECORD(player, FIELDS_player)

#define FIELDS_season(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(I64, f1_i64) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(STR, f4_str)
RECORD(season, FIELDS_season)

#define FIELDS_ranking(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(I64, f1_i64) \
  X(B32, f2_b32) \
  X(U64, f3_u64) \
  X(U32, f4_u32) \
  X(STR, f5_str) \
  X(STR, f6_str) \
  X(U32, f7_u32) \
  X(U8, f8_u8) \
  X(U8, f9_u8)
RECORD(ranking, FIELDS_ranking)

#define FIELDS_reward(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(B32, f1_b32) \
  X(U8, f2_u8) \
  X(STR, f3_str) \
  X(B32, f4_b32) \
  X(U32, f5_u32) \
  X(I64, f6_i64) \
  X(U32, f7_u32) \
  X(U32, f8_u32) \
  X(U8, f9_u8)
RECORD(reward, FIELDS_reward)

#define FIELDS_badge(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U64, f1_u64) \
  X(STR, f2_str) \
  X(U32, f3_u32) \
  X(STR, f4_str) \
  X(U64, f5_u64)
RECORD(badge, FIELDS_badge)

#define FIELDS_stream(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(I64, f1_i64) \
  X(U32, f2_u32) \
  X(U8, f3_u8) \
  X(B32, f4_b32) \
  X(U64, f5_u64)
RECORD(stream, FIELDS_stream)

#define FIELDS_subscription(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(STR, f1_str) \
  X(STR, f2_str) \
  X(I64, f3_i64) \
  X(STR, f4_str) \
  X(U32, f5_u32) \
  X(STR, f6_str)
RECORD(subscription, FIELDS_subscription)

#define FIELDS_account_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(STR, f1_str) \
  X(U8, f2_u8) \
  X(I64, f3_i64) \
  X(U32, f4_u32)
RECORD(account_v2, FIELDS_account_v2)

#define FIELDS_proposal_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U32, f1_u32) \
  X(U32, f2_u32) \
  X(U32, f3_u32) \
  X(I64, f4_i64) \
  X(STR, f5_str) \
  X(B32, f6_b32) \
  X(U8, f7_u8)
RECORD(proposal_v2, FIELDS_proposal_v2)

#define FIELDS_vote_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U64, f1_u64) \
  X(B32, f2_b32) \
  X(STR, f3_str) \
  X(STR, f4_str) \
  X(STR, f5_str) \
  X(I64, f6_i64) \
  X(U8, f7_u8)
RECORD(vote_v2, FIELDS_vote_v2)

#define FIELDS_member_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U32, f1_u32) \
  X(U32, f2_u32) \
  X(U64, f3_u64) \
  X(U8, f4_u8) \
  X(U8, f5_u8) \
  X(STR, f6_str) \
  X(I64, f7_i64)
RECORD(member_v2, FIELDS_member_v2)

#define FIELDS_role_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U8, f1_u8) \
  X(I64, f2_i64) \
  X(U64, f3_u64) \
  X(STR, f4_str) \
  X(STR, f5_str) \
  X(STR, f6_str) \
  X(STR, f7_str)
RECORD(role_v2, FIELDS_role_v2)

#define FIELDS_invite_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U64, f1_u64) \
  X(I64, f2_i64) \
  X(STR, f3_str) \
  X(STR, f4_str)
RECORD(invite_v2, FIELDS_invite_v2)

#define FIELDS_message_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(STR, f1_str) \
  X(U32, f2_u32) \
  X(B32, f3_b32) \
  X(STR, f4_str) \
  X(U64, f5_u64) \
  X(STR, f6_str) \
  X(U32, f7_u32) \
  X(I64, f8_i64) \
  X(U32, f9_u32)
RECORD(message_v2, FIELDS_message_v2)

#define FIELDS_thread_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(I64, f1_i64) \
  X(I64, f2_i64) \
  X(U64, f3_u64) \
  X(U8, f4_u8) \
  X(B32, f5_b32) \
  X(U32, f6_u32)
RECORD(thread_v2, FIELDS_thread_v2)

#define FIELDS_channel_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U32, f1_u32) \
  X(B32, f2_b32) \
  X(U64, f3_u64) \
  X(U8, f4_u8) \
  X(U32, f5_u32) \
  X(B32, f6_b32)
RECORD(channel_v2, FIELDS_channel_v2)

#define FIELDS_reaction_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U64, f1_u64) \
  X(U32, f2_u32) \
  X(U64, f3_u64) \
  X(U32, f4_u32) \
  X(I64, f5_i64) \
  X(U32, f6_u32) \
  X(B32, f7_b32) \
  X(U8, f8_u8)
RECORD(reaction_v2, FIELDS_reaction_v2)

#define FIELDS_asset_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U32, f1_u32) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(U32, f4_u32) \
  X(B32, f5_b32) \
  X(I64, f6_i64)
RECORD(asset_v2, FIELDS_asset_v2)

#define FIELDS_transfer_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U64, f1_u64) \
  X(I64, f2_i64) \
  X(U32, f3_u32) \
  X(U64, f4_u64) \
  X(U64, f5_u64) \
  X(U8, f6_u8) \
  X(B32, f7_b32)
RECORD(transfer_v2, FIELDS_transfer_v2)

#define FIELDS_escrow_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U64, f1_u64) \
  X(STR, f2_str) \
  X(I64, f3_i64) \
  X(I64, f4_i64) \
  X(B32, f5_b32)
RECORD(escrow_v2, FIELDS_escrow_v2)

#define FIELDS_order_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U64, f1_u64) \
  X(STR, f2_str) \
  X(STR, f3_str)
RECORD(order_v2, FIELDS_order_v2)

#define FIELDS_bid_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U8, f1_u8) \
  X(U8, f2_u8) \
  X(U32, f3_u32) \
  X(U8, f4_u8) \
  X(U8, f5_u8)
RECORD(bid_v2, FIELDS_bid_v2)

#define FIELDS_auction_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U8, f1_u8) \
  X(U32, f2_u32) \
  X(U64, f3_u64) \
  X(U32, f4_u32) \
  X(I64, f5_i64)
RECORD(auction_v2, FIELDS_auction_v2)

#define FIELDS_invoice_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U64, f1_u64) \
  X(I64, f2_i64) \
  X(U32, f3_u32) \
  X(STR, f4_str) \
  X(STR, f5_str) \
  X(STR, f6_str) \
  X(I64, f7_i64) \
  X(B32, f8_b32) \
  X(U64, f9_u64)
RECORD(invoice_v2, FIELDS_invoice_v2)

#define FIELDS_payment_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U8, f1_u8) \
  X(B32, f2_b32) \
  X(U32, f3_u32)
RECORD(payment_v2, FIELDS_payment_v2)

#define FIELDS_refund_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U64, f1_u64) \
  X(U8, f2_u8) \
  X(B32, f3_b32) \
  X(U8, f4_u8) \
  X(U64, f5_u64) \
  X(U8, f6_u8)
RECORD(refund_v2, FIELDS_refund_v2)

#define FIELDS_ledger_entry_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U8, f1_u8) \
  X(U64, f2_u64) \
  X(U8, f3_u8) \
  X(I64, f4_i64) \
  X(U8, f5_u8) \
  X(U64, f6_u64) \
  X(STR, f7_str)
RECORD(ledger_entry_v2, FIELDS_ledger_entry_v2)

#define FIELDS_profile_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(STR, f1_str) \
  X(U32, f2_u32) \
  X(U8, f3_u8) \
  X(STR, f4_str) \
  X(B32, f5_b32) \
  X(U32, f6_u32)
RECORD(profile_v2, FIELDS_profile_v2)

#define FIELDS_device_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U64, f1_u64) \
  X(U8, f2_u8) \
  X(U32, f3_u32)
RECORD(device_v2, FIELDS_device_v2)

#define FIELDS_session_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(B32, f1_b32) \
  X(U64, f2_u64) \
  X(STR, f3_str) \
  X(U32, f4_u32)
RECORD(session_v2, FIELDS_session_v2)

#define FIELDS_key_share_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(STR, f1_str) \
  X(B32, f2_b32) \
  X(U32, f3_u32) \
  X(U64, f4_u64) \
  X(U64, f5_u64)
RECORD(key_share_v2, FIELDS_key_share_v2)

#define FIELDS_approval_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U64, f1_u64) \
  X(U8, f2_u8) \
  X(U8, f3_u8) \
  X(U8, f4_u8) \
  X(B32, f5_b32) \
  X(STR, f6_str) \
  X(STR, f7_str) \
  X(U32, f8_u32) \
  X(STR, f9_str)
RECORD(approval_v2, FIELDS_approval_v2)

#define FIELDS_policy_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(B32, f3_b32) \
  X(B32, f4_b32) \
  X(I64, f5_i64) \
  X(B32, f6_b32)
RECORD(policy_v2, FIELDS_policy_v2)

#define FIELDS_quota_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(I64, f1_i64) \
  X(STR, f2_str) \
  X(U64, f3_u64) \
  X(B32, f4_b32) \
  X(U32, f5_u32) \
  X(U32, f6_u32)
RECORD(quota_v2, FIELDS_quota_v2)

#define FIELDS_tag_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(B32, f1_b32) \
  X(B32, f2_b32) \
  X(B32, f3_b32) \
  X(U32, f4_u32) \
  X(I64, f5_i64)
RECORD(tag_v2, FIELDS_tag_v2)

#define FIELDS_label_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U32, f1_u32) \
  X(U8, f2_u8) \
  X(U8, f3_u8) \
  X(B32, f4_b32) \
  X(B32, f5_b32)
RECORD(label_v2, FIELDS_label_v2)

#define FIELDS_comment_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U32, f1_u32) \
  X(U8, f2_u8) \
  X(U8, f3_u8) \
  X(B32, f4_b32) \
  X(I64, f5_i64)
RECORD(comment_v2, FIELDS_comment_v2)

#define FIELDS_document_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(B32, f1_b32) \
  X(U64, f2_u64) \
  X(STR, f3_str) \
  X(U32, f4_u32) \
  X(B32, f5_b32) \
  X(U64, f6_u64) \
  X(U8, f7_u8) \
  X(I64, f8_i64) \
  X(U32, f9_u32)
RECORD(document_v2, FIELDS_document_v2)

#define FIELDS_revision_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(U64, f3_u64) \
  X(U64, f4_u64)
RECORD(revision_v2, FIELDS_revision_v2)

#define FIELDS_task_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U64, f1_u64) \
  X(U32, f2_u32) \
  X(U8, f3_u8) \
  X(U64, f4_u64) \
  X(U32, f5_u32)
RECORD(task_v2, FIELDS_task_v2)

#define FIELDS_milestone_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U8, f1_u8) \
  X(U64, f2_u64) \
  X(I64, f3_i64) \
  X(U8, f4_u8) \
  X(I64, f5_i64)
RECORD(milestone_v2, FIELDS_milestone_v2)

#define FIELDS_sprint_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(B32, f1_b32) \
  X(U32, f2_u32) \
  X(U32, f3_u32) \
  X(STR, f4_str) \
  X(U8, f5_u8)
RECORD(sprint_v2, FIELDS_sprint_v2)

#define FIELDS_review_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U8, f1_u8) \
  X(U32, f2_u32) \
  X(I64, f3_i64)
RECORD(review_v2, FIELDS_review_v2)

#define FIELDS_ticket_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(I64, f1_i64) \
  X(U8, f2_u8) \
  X(U64, f3_u64) \
  X(U64, f4_u64) \
  X(B32, f5_b32) \
  X(U32, f6_u32) \
  X(U8, f7_u8)
RECORD(ticket_v2, FIELDS_ticket_v2)

#define FIELDS_release_v2(X) \
  X(B32, id) \
  X(STR, f0_str) \
  X(U32, f1_u32) \
  X(B32, f2_b32) \
  X(B32, f3_b32) \
  X(STR, f4_str) \
  X(I64, f5_i64) \
  X(U64, f6_u64) \
  X(B32, f7_b32)
RECORD(release_v2, FIELDS_release_v2)

#define FIELDS_artifact_v2(X) \
  X(B32, id) \
  X(U32, f0_u32) \
  X(U64, f1_u64) \
  X(B32, f2_b32) \
  X(STR, f3_str) \
  X(B32, f4_b32) \
  X(U32, f5_u32) \
  X(U8, f6_u8)
RECORD(artifact_v2, FIELDS_artifact_v2)

#define FIELDS_build_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(STR, f1_str) \
  X(B32, f2_b32) \
  X(I64, f3_i64) \
  X(B32, f4_b32) \
  X(B32, f5_b32) \
  X(STR, f6_str) \
  X(U32, f7_u32) \
  X(STR, f8_str) \
  X(STR, f9_str)
RECORD(build_v2, FIELDS_build_v2)

#define FIELDS_score_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(B32, f1_b32) \
  X(STR, f2_str) \
  X(B32, f3_b32) \
  X(B32, f4_b32) \
  X(B32, f5_b32) \
  X(B32, f6_b32) \
  X(U32, f7_u32)
RECORD(score_v2, FIELDS_score_v2)

#define FIELDS_match_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(U8, f1_u8) \
  X(U32, f2_u32) \
  X(B32, f3_b32)
RECORD(match_v2, FIELDS_match_v2)

#define FIELDS_team_v2(X) \
  X(B32, id) \
  X(U8, f0_u8) \
  X(I64, f1_i64) \
  X(I64, f2_i64) \
  X(STR, f3_str) \
  X(U8, f4_u8) \
  X(B32, f5_b32)
RECORD(team_v2, FIELDS_team_v2)

#define FIELDS_player_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(STR, f1_str) \
  X(B32, f2_b32) \
  X(U32, f3_u32)
RECORD(player_v2, FIELDS_player_v2)

#define FIELDS_season_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(U8, f1_u8) \
  X(I64, f2_i64) \
  X(U8, f3_u8) \
  X(B32, f4_b32) \
  X(STR, f5_str) \
  X(STR, f6_str)
RECORD(season_v2, FIELDS_season_v2)

#define FIELDS_ranking_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(STR, f1_str) \
  X(U8, f2_u8) \
  X(B32, f3_b32)
RECORD(ranking_v2, FIELDS_ranking_v2)

#define FIELDS_reward_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(U64, f1_u64) \
  X(U8, f2_u8) \
  X(U64, f3_u64) \
  X(U32, f4_u32) \
  X(B32, f5_b32) \
  X(U32, f6_u32) \
  X(U32, f7_u32) \
  X(B32, f8_b32)
RECORD(reward_v2, FIELDS_reward_v2)

#define FIELDS_badge_v2(X) \
  X(B32, id) \
  X(I64, f0_i64) \
  X(I64, f1_i64) \
  X(I64, f2_i64) \
  X(U8, f3_u8) \
  X(I64, f4_i64) \
  X(B32, f5_b32) \
  X(U64, f6_u64) \
  X(U8, f7_u8) \
  X(STR, f8_str)
RECORD(badge_v2, FIELDS_badge_v2)

#define FIELDS_stream_v2(X) \
  X(B32, id) \
  X(B32, f0_b32) \
  X(U32, f1_u32) \
  X(U8, f2_u8) \
  X(STR, f3_str) \
  X(U32, f4_u32) \
  X(U64, f5_u64) \
  X(U64, f6_u64) \
  X(B32, f7_b32) \
  X(B32, f8_b32)
RECORD(stream_v2, FIELDS_stream_v2)

#define FIELDS_subscription_v2(X) \
  X(B32, id) \
  X(U64, f0_u64) \
  X(STR, f1_str) \
  X(STR, f2_str) \
  X(U32, f3_u32) \
  X(U8, f4_u8) \
  X(I64, f5_i64) \
  X(U8, f6_u8) \
  X(I64, f7_i64) \
  X(U64, f8_u64)
RECORD(subscription_v2, FIELDS_subscription_v2)

// GatewayQueue's MO side (gateway/queue.h, "MOs are never doubled nor lost"): the
// de-duplication key of every deliver_sm, long MOs held part by part and joined, their
// deadlines, and the readers of stored MOs.
#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "gateway/queue_impl.h"

namespace pintar::gateway {

using namespace queue_internal;

namespace {

Result<int64_t> scalar(sqlite::Cursor& select) {
  auto row = select.step();
  if (!row.ok()) return row.status();
  return *row ? select.integer(0) : 0;
}

}  // namespace

Result<QueueMoAdded> GatewayQueue::Impl::store_mo(const QueueMo& mo) {
  const std::string key = deliver_key(mo);
  {
    auto seen = use(Sql::kSelectSeen);
    auto row = seen.bind(sqlite::Blob{key}).step();
    if (!row.ok()) return row.status();
    if (*row && seen.integer(0) >= mo.received_at_ms - options_.mo_dedup_window_ms) {
      return QueueMoAdded{.duplicate = true, .idempotency_key = hex_encode(key)};
    }
  }
  if (mo.total <= 1) {
    PINTAR_RETURN_IF_ERROR(insert_mo(mo, mo.user_data, hex_encode(key)));
    PINTAR_RETURN_IF_ERROR(remember(key, mo.received_at_ms));
    return QueueMoAdded{.id = last_insert_id()};
  }
  QueueMoAdded added{.held = true};
  int64_t fragment = 0;
  {
    auto find = use(Sql::kFindFragment);
    auto row = find.bind(mo.smsc, mo.source, mo.destination, mo.reference, mo.total).step();
    if (!row.ok()) return row.status();
    if (*row) fragment = find.integer(0);
  }
  if (fragment == 0) {
    auto count = scalar(use(Sql::kCountSourceFragments).bind(mo.smsc, mo.source));
    if (!count.ok()) return count.status();
    if (static_cast<size_t>(*count) >= options_.max_fragments_per_source) {
      return Status::resource_exhausted(fmt::format("{} incomplete long MOs from this source already",
                                                    options_.max_fragments_per_source));
    }
  }
  auto bytes = scalar(use(Sql::kFragmentBytes).bind());
  if (!bytes.ok()) return bytes.status();
  if (static_cast<size_t>(*bytes) + mo.user_data.size() > options_.max_fragment_bytes) {
    return Status::resource_exhausted(
        fmt::format("incomplete long MOs hold {} octets already (cap {})", *bytes, options_.max_fragment_bytes));
  }
  if (fragment == 0) {
    PINTAR_RETURN_IF_ERROR(use(Sql::kInsertFragment)
                               .bind(mo.smsc, mo.source, mo.destination, mo.reference, mo.total, mo.data_coding,
                                     mo.received_at_ms, mo.deadline_ms)
                               .run());
    fragment = last_insert_id();
    added.deadline_ms = mo.deadline_ms;
  }
  PINTAR_RETURN_IF_ERROR(use(Sql::kInsertPart).bind(fragment, mo.sequence, sqlite::Blob{mo.user_data}, sqlite::Blob{key}).run());
  PINTAR_RETURN_IF_ERROR(remember(key, mo.received_at_ms));
  auto parts = scalar(use(Sql::kCountParts).bind(fragment));
  if (!parts.ok()) return parts.status();
  if (*parts < mo.total) return added;
  auto id = join(fragment, /*incomplete=*/false);
  if (!id.ok()) return id.status();
  return QueueMoAdded{.id = *id};
}

Result<QueueFragmentsExpired> GatewayQueue::Impl::expire(int64_t now_ms) {
  QueueFragmentsExpired expired;
  for (;;) {  // in pages, so that one statement is never stepped while others change the table
    auto ids = collect<int64_t>(use(Sql::kExpiredFragments).bind(now_ms), [](const sqlite::Cursor& row) { return row.integer(0); });
    if (!ids.ok()) return ids.status();
    for (const int64_t fragment : *ids) {
      auto id = join(fragment, /*incomplete=*/true);
      if (!id.ok()) return id.status();
      ++expired.joined;
    }
    if (ids->size() < 64) break;
  }
  auto next = use(Sql::kNextDeadline);
  auto row = next.step();
  if (!row.ok()) return row.status();
  if (*row && !next.is_null(0)) expired.next_deadline_ms = next.integer(0);
  return expired;
}

// The de-duplication key of one deliver_sm: SHA-256 over its fields, each length-prefixed
// so that no two different field lists hash alike. Raw 32 octets.
std::string GatewayQueue::Impl::deliver_key(const QueueMo& mo) {
  std::string in;
  const auto field = [&in](std::string_view value) {
    for (int shift = 24; shift >= 0; shift -= 8) in.push_back(static_cast<char>(value.size() >> shift & 0xFF));
    in.append(value);
  };
  field(mo.smsc);
  field(mo.source);
  field(mo.destination);
  field(fmt::format("{} {} {} {} {}", mo.esm_class, mo.data_coding, mo.reference, mo.total, mo.sequence));
  field(mo.udh);
  field(mo.user_data);
  field(mo.text);
  const auto digest = crypto::sha256(crypto::as_bytes(in));
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

Status GatewayQueue::Impl::remember(const std::string& key, int64_t at_ms) {
  PINTAR_RETURN_IF_ERROR(use(Sql::kUpsertSeen).bind(sqlite::Blob{key}, at_ms).run());
  return use(Sql::kPruneSeen).bind(at_ms - options_.mo_dedup_window_ms).run();
}

Status GatewayQueue::Impl::insert_mo(const QueueMo& mo, std::string_view user_data, const std::string& key_hex,
                                     int parts, bool incomplete) {
  return use(Sql::kInsertMo)
      .bind(mo.smsc, mo.source, mo.destination, mo.text, mo.data_coding, mo.received_at_ms, sqlite::Blob{user_data}, parts,
            incomplete, key_hex)
      .run();
}


// Joins the parts of `fragment` (sequence order) into one MO row and forgets the set; the
// MO's key is the SHA-256 of its parts' keys in that order. Returns the MO's id.
Result<int64_t> GatewayQueue::Impl::join(int64_t fragment, bool incomplete) {
  QueueMo mo;
  {
    auto select = use(Sql::kSelectFragment);
    auto row = select.bind(fragment).step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::internal("long MO fragment vanished");
    mo = {.smsc = select.text(0), .source = select.text(1), .destination = select.text(2),
          .data_coding = static_cast<int>(select.integer(3)), .received_at_ms = select.integer(4)};
  }
  std::string keys;
  int parts = 0;
  {
    auto select = use(Sql::kSelectParts);
    select.bind(fragment);
    for (;;) {
      auto row = select.step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      mo.user_data += select.text(0);
      keys += select.text(1);
      ++parts;
    }
  }
  if (options_.decode_text) mo.text = options_.decode_text(mo.data_coding, mo.user_data);
  const auto digest = crypto::sha256(crypto::as_bytes(keys));
  PINTAR_RETURN_IF_ERROR(insert_mo(mo, mo.user_data, hex_encode(digest), parts, incomplete));
  const int64_t id = last_insert_id();
  PINTAR_RETURN_IF_ERROR(use(Sql::kDeleteFragment).bind(fragment).run());
  return id;
}

void GatewayQueue::add_mo(QueueMo mo, std::function<void(Result<QueueMoAdded>)> done) {
  impl_->post_durable<QueueMoAdded>([this, mo = std::move(mo)] { return impl_->store_mo(mo); }, std::move(done));
}

void GatewayQueue::expire_fragments(int64_t now_ms, std::function<void(Result<QueueFragmentsExpired>)> done) {
  impl_->post_durable<QueueFragmentsExpired>([this, now_ms] { return impl_->expire(now_ms); }, std::move(done));
}

void GatewayQueue::mos_after(int64_t id, size_t limit, Done<std::vector<QueuedMoRow>> done) {
  impl_->post_durable<std::vector<QueuedMoRow>>([this, id, limit] {
    return collect<QueuedMoRow>(impl_->use(Sql::kSelectMos).bind(id, limit), [](const sqlite::Cursor& row) {
      return QueuedMoRow{.id = row.integer(0),
                      .mo = {.smsc = row.text(1), .source = row.text(2), .destination = row.text(3),
                             .text = row.text(4), .data_coding = static_cast<int>(row.integer(5)),
                             .received_at_ms = row.integer(6), .user_data = row.text(7),
                             .parts = static_cast<int>(row.integer(8)), .incomplete = row.integer(9) != 0,
                             .idempotency_key = row.text(10)}};
    });
  }, std::move(done));
}

}  // namespace pintar::gateway

// Fuzz target: arbitrary bytes through the whole receive path of a connection — framing,
// TLV pre-scan, libsmpp34 decode, and what the session does with a deliver_sm (receipt
// parsing, MO reassembly and text decoding). The first input octet picks the read size, so
// PDUs also arrive split across reads. Seed corpus: fuzz_corpus/receive (make_seeds.py).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "smpp/reassembly.h"
#include "smpp/receipt.h"
#include "smpp/receive.h"

namespace {

using namespace pintar::smpp;

class Dispatch final : public ReceiveHandler {
 public:
  void on_bind_resp(const Header&, std::string_view) override {}
  void on_submit_resp(const Header&, std::string_view id) override {
    sink_ += normalise_message_id(id, IdBase::kHex).size();
  }
  void on_response(const Header&) override {}
  void on_enquire_link(const Header&) override {}
  void on_unbind(const Header&) override {}
  void on_deliver(const DeliverSm& d) override {
    if (is_receipt(d)) {
      if (auto receipt = parse_receipt(d, IdBase::kDecimal)) sink_ += receipt->message_id.size();
    } else if (auto mo = reassembler_.add(d, "fuzz", now_)) {
      sink_ += mo->text_utf8.size();
    }
    now_ += std::chrono::seconds(1);
    for (const auto& mo : reassembler_.expire(now_)) sink_ += mo.text_utf8.size();
  }
  void on_malformed(const Header&, uint32_t, std::string_view) override {}

 private:
  Reassembler reassembler_{std::chrono::seconds(3)};
  pintar::Clock::SteadyTime now_{};
  size_t sink_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t read_size = size_t{data[0]} * 4 + 1;
  std::span<const uint8_t> input(data + 1, size - 1);
  Receiver receiver(65535);
  Dispatch dispatch;
  std::string buffer, replies;
  size_t fed = 0;
  while (fed < input.size() && !receiver.broken()) {
    const size_t n = std::min(read_size, input.size() - fed);
    buffer.append(reinterpret_cast<const char*>(input.data() + fed), n);
    fed += n;
    const size_t used = receiver.consume(
        {reinterpret_cast<const uint8_t*>(buffer.data()), buffer.size()}, replies, dispatch);
    buffer.erase(0, used);
  }
  return 0;
}

#include "cli/p2apst_cli.h"

#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/exit_codes.h"
#include "store/ledger_config.h"
#include "vending/engine/ledger_purchase_journal.h"
#include "vending/p2apst/buy.h"
#include "vending/p2apst/link.h"
#include "vending/p2apst/prepaid.h"
#include "vending/p2apst/purchase_journal.h"

namespace pintar::p2apst {
namespace {

// Everything one command needs: the link (signed on) and the purchase journal.
struct Session {
  Options options;
  std::unique_ptr<StanSequence> stans;
  std::unique_ptr<Link> link;
  std::unique_ptr<PurchaseJournal> journal;
  std::unique_ptr<Prepaid> prepaid;
};

std::unique_ptr<Session> open_session(const cli::Context& context) {
  const config::Config config = context.load_config();
  auto options = options_from(config);
  if (!options.ok()) cli::fail(exit_code::kConfig, options.status().message());
  auto session = std::make_unique<Session>();
  session->options = *options;
  // Held until the session ends: the lock on the STAN file is also what keeps a second
  // run from resuming this run's in-flight purchases (docs/p2apst.md, "One process at a time").
  auto stans = FileStanSequence::open(options->stan_file);
  if (!stans.ok()) {
    cli::fail(exit_code::for_status(stans.status()), stans.status().message());
  }
  session->stans = std::move(*stans);
  // The ledger holds the purchase journal: a killed run is resumed by the next one.
  store::LedgerOptions ledger = store::ledger_options(config);
  auto chain_key = store::chain_key(config);  // keys the journal's chain (store/README.md)
  if (!chain_key.ok()) cli::fail(exit_code::kConfig, chain_key.status().message());
  ledger.chain_key = std::move(*chain_key);
  auto journal = engine::LedgerPurchaseJournal::open(ledger);
  if (!journal.ok()) cli::fail(exit_code::for_status(journal.status()), journal.status().message());
  session->journal = std::move(*journal);
  session->link = std::make_unique<Link>(options->link, options->partner, *session->stans, Clock::real());
  session->link->start();
  if (!session->link->wait_signed_on(options->link.request_timeout + options->link.connect_timeout)) {
    cli::fail(exit_code::kUnavailable, fmt::format("not signed on to P2APST: {}", session->link->last_problem()));
  }
  session->prepaid = std::make_unique<Prepaid>(*session->link, *session->journal, *options);
  return session;
}

void print_meaning(const ResponseCode& meaning) {
  fmt::print("message: {}\npesan: {}\n", meaning.text_en, meaning.text_id);
}

// The inquiry's answer as one document: what `inquiry --format json` prints, and (in the text
// style of cli/output.h) what a purchase that stops at the inquiry shows.
nlohmann::json inquiry_json(const InquiryOutcome& out) {
  nlohmann::json doc = {{"response_code", out.response_code}, {"answered_locally", out.answered_locally}};
  if (!out.inquiry) {
    const ResponseCode meaning = out.meaning();
    doc["message"] = meaning.text_en;
    doc["pesan"] = meaning.text_id;
    return doc;
  }
  const InquiryResponse& i = *out.inquiry;
  doc.update({{"meter", i.subscriber.meter}, {"idpel", i.subscriber.idpel}, {"name", trimmed(i.name)},
              {"tariff", trimmed(i.tariff)}, {"power_va", i.power_va}, {"admin", to_decimal_string(i.admin)},
              {"pln_ref", i.pln_ref}});
  if (out.data3) {
    doc.update({{"service_unit", out.data3->service_unit}, {"max_kwh", out.data3->max_kwh},
                {"unsold_tokens", out.data3->unsold_amounts}});
  }
  return doc;
}

void print_inquiry(const InquiryOutcome& out, const std::string& format = "text") {
  cli::print_as(format, inquiry_json(out));
}

int print_purchase(const PurchaseOutcome& out) {
  fmt::print("journal_id: {}\nstate: {}\n", out.journal_id, state_name(out.state));
  if (!out.response_code.empty()) {
    fmt::print("response_code: {}{}\n", out.response_code, out.answered_locally ? " (local cut-off check)" : "");
  }
  if (out.receipt) {
    const PurchaseResponse& r = *out.receipt;
    fmt::print("token: {}\nkwh: {}\nkwh_tenths: {}\nvending_receipt: {}\nbuying_option: {}\n", r.token,
               to_decimal_string(r.kwh), kwh_tenths(kwh_hundredths(r.kwh)), r.vending_receipt,
               static_cast<char>(r.buying_option));
    fmt::print("admin: {}\nstamp_duty: {}\nppn: {}\nppj: {}\ninstalment: {}\npower_purchase: {}\n",
               to_decimal_string(r.admin), to_decimal_string(r.stamp_duty), to_decimal_string(r.ppn),
               to_decimal_string(r.ppj), to_decimal_string(r.instalment), to_decimal_string(r.power_purchase));
    return exit_code::kOk;
  }
  if (is_unresolved(out.state) || out.state == PurchaseState::kNeedsManual) {
    fmt::print("message: The purchase is pending; it will be settled with PLN before any refund.\n"
               "pesan: Transaksi sedang diproses; akan diselesaikan dengan PLN sebelum pengembalian dana.\n");
    return exit_code::kTempFail;
  }
  print_meaning(out.meaning());
  return exit_code::kFailure;
}

// FailedPrecondition from a resume: another process moved a purchase under us (the journal
// refused the stale update); running again later sees the new state.
[[noreturn]] void fail_resume(const Status& status) {
  // The one place FailedPrecondition is worth a retry: the journal refused a stale update
  // because another process is moving that purchase.
  cli::fail(status.code() == StatusCode::kFailedPrecondition ? exit_code::kTempFail : exit_code::for_status(status),
            status.message());
}

int print_resumed(const std::vector<PurchaseOutcome>& outcomes) {
  int worst = exit_code::kOk;
  for (const PurchaseOutcome& out : outcomes) {
    const int code = print_purchase(out);
    if (code == exit_code::kTempFail) worst = code;
  }
  return worst;
}

int resume(Session& session) {
  auto outcomes = session.prepaid->resume_unresolved();
  if (!outcomes.ok()) fail_resume(outcomes.status());
  return print_resumed(*outcomes);
}

struct Lookup {
  std::string meter;
  std::string idpel;
};

void add_lookup_options(CLI::App* command, const std::shared_ptr<Lookup>& lookup) {
  auto* group = command->add_option_group("subscriber");
  group->add_option("--meter", lookup->meter, "Meter number (11 digits)");
  group->add_option("--idpel", lookup->idpel, "Customer ID, IDPEL (12 digits)");
  group->require_option(1);
}

[[noreturn]] void fail_inquiry(const Status& status) {
  cli::fail(status.code() == StatusCode::kInvalidArgument ? exit_code::kUsage : exit_code::kTempFail, status.message());
}

InquiryOutcome run_inquiry(Session& session, const Lookup& lookup) {
  auto out = lookup.meter.empty() ? session.prepaid->inquiry(lookup.idpel, LookupBy::kIdpel)
                                  : session.prepaid->inquiry(lookup.meter, LookupBy::kMeter);
  if (!out.ok()) fail_inquiry(out.status());
  return std::move(*out);
}

// Prints what the buying procedure (buy.h) did and exits as the steps say.
void report_buy(const BuyOutcome& out, int64_t amount) {
  if (out.ended_at == BuyStage::kResume && !out.error.ok()) fail_resume(out.error);
  if (print_resumed(out.resumed) != exit_code::kOk) cli::fail(exit_code::kTempFail, "an earlier purchase is still unresolved");
  if (out.ended_at == BuyStage::kInquiry) {
    if (!out.error.ok()) fail_inquiry(out.error);
    print_inquiry(*out.inquiry);
    cli::fail(exit_code::kFailure, "");
  }
  if (out.option == BuyingOption::kUnsoldToken) {
    fmt::print("unsold_token: taking the unsold token of Rp {} already paid for\n", amount);
  }
  if (out.ended_at == BuyStage::kChoice) {
    print_inquiry(*out.inquiry);
    cli::fail(exit_code::kFailure,
              fmt::format("this meter has unsold tokens already paid for (Rp {}); buy that amount to receive one, "
                          "or pass --new-token",
                          fmt::join(out.unsold_waiting, ", Rp ")));
  }
  if (!out.error.ok()) cli::fail(exit_code::kUnavailable, out.error.message());
  const int code = print_purchase(*out.purchase);
  if (code != exit_code::kOk) cli::fail(code, "");
}

}  // namespace

void add_p2apst_commands(CLI::App& app, const cli::Context& context) {
  CLI::App* p2apst = app.add_subcommand("p2apst", "Talk to the configured P2APST host (PLN prepaid, ISO 8583)");
  p2apst->require_subcommand(1);

  p2apst->add_subcommand("signon", "Connect, sign on (2800/001), report, sign off")->callback([&context] {
    auto session = open_session(context);
    fmt::print("signed_on: {}:{}\n", session->options.link.host, session->options.link.port);
  });

  auto inquiry_lookup = std::make_shared<Lookup>();
  auto inquiry_format = std::make_shared<std::string>("text");
  CLI::App* inquiry = p2apst->add_subcommand("inquiry", "Look a subscriber up (2100)");
  add_lookup_options(inquiry, inquiry_lookup);
  cli::add_format_option(*inquiry, *inquiry_format);
  inquiry->callback([&context, inquiry_lookup, inquiry_format] {
    auto session = open_session(context);
    const InquiryOutcome out = run_inquiry(*session, *inquiry_lookup);
    print_inquiry(out, *inquiry_format);
    if (!out.inquiry) cli::fail(exit_code::kFailure, "");
  });

  auto purchase_lookup = std::make_shared<Lookup>();
  auto amount = std::make_shared<int64_t>(0);
  auto new_token = std::make_shared<bool>(false);
  CLI::App* purchase = p2apst->add_subcommand(
      "purchase", "Inquire, then buy a token (2200); an unsold token of the same amount is taken first");
  add_lookup_options(purchase, purchase_lookup);
  purchase->add_option("--amount", *amount, "Amount paid, whole rupiah (bit 4)")->required()->check(CLI::PositiveNumber);
  purchase->add_flag("--new-token", *new_token, "Buy a new token even though unsold tokens are waiting");
  purchase->callback([&context, purchase_lookup, amount, new_token] {
    auto session = open_session(context);
    const bool by_meter = !purchase_lookup->meter.empty();
    const BuyRequest request{.number = by_meter ? purchase_lookup->meter : purchase_lookup->idpel,
                             .by = by_meter ? LookupBy::kMeter : LookupBy::kIdpel,
                             .amount = *amount,
                             .new_token = *new_token};
    report_buy(buy(*session->prepaid, request), *amount);
  });

  p2apst->add_subcommand("advice", "Settle purchases a previous run left unresolved (2220/2221)")->callback([&context] {
    auto session = open_session(context);
    const int code = resume(*session);
    if (code != exit_code::kOk) cli::fail(code, "");
  });
}

}  // namespace pintar::p2apst

#include "vending/p2apst/response_codes.h"

#include <algorithm>
#include <array>

namespace pintar::p2apst {
namespace {

using enum Cause;

// Meanings as consolidated from public PLN client code (docs/p2apst.md, "Response codes").
constexpr ResponseCode kResponseCodes[] = {
    {"0000", kApproved, false, "Transaksi berhasil.", "Transaction successful."},
    {"0005", kOtherError, true, "Transaksi gagal, silakan coba lagi nanti.", "Transaction failed; please try again later."},
    {"0006", kPartnerBlocked, false, "Layanan sedang tidak tersedia.", "The service is not available."},
    {"0008", kInvalidAccessTime, true, "Layanan belum dapat diakses saat ini, silakan coba lagi nanti.",
     "The service cannot be used at this time; please try again later."},
    {"0009", kWrongSubscriber, false, "Nomor meter/IDPEL yang Anda masukkan salah, mohon teliti kembali.",
     "The meter number or customer ID is wrong; please check it."},
    {"0011", kSignOnFirst, true, "Layanan sedang tersambung ulang, silakan coba lagi sebentar lagi.",
     "The service is reconnecting; please try again shortly."},
    {"0012", kReversalTooLate, false, "Transaksi tidak dapat dibatalkan.", "The transaction can no longer be cancelled."},
    {"0013", kInvalidAmount, false, "Nominal pembelian tidak terdaftar.", "That purchase amount is not available."},
    {"0014", kUnknownSubscriber, false, "Nomor meter/IDPEL tidak ditemukan.", "The meter number or customer ID is unknown."},
    {"0015", kMeterIdpelMismatch, false, "Nomor meter/IDPEL salah, mohon teliti kembali.",
     "The meter number or customer ID is wrong; please check it."},
    {"0016", kSubscriberBlocked, false, "Konsumen diblokir, hubungi PLN.", "This customer is blocked; please contact PLN."},
    {"0030", kBadMessage, false, "Transaksi gagal karena kesalahan sistem.", "The transaction failed because of a system error."},
    {"0031", kUnknownBank, false, "Transaksi gagal karena kesalahan sistem.", "The transaction failed because of a system error."},
    {"0032", kUnknownPartner, false, "Transaksi gagal karena kesalahan sistem.", "The transaction failed because of a system error."},
    {"0033", kUnknownProduct, false, "Produk tidak terdaftar.", "The product is not available."},
    {"0041", kBelowMinimum, false, "Nominal pembelian di bawah batas minimum.", "The amount is below the minimum purchase."},
    {"0042", kAboveMaximum, false, "Nominal pembelian melebihi batas maksimum.", "The amount is above the maximum purchase."},
    {"0045", kInvalidAdminCharge, false, "Biaya admin tidak valid.", "The admin charge is not valid."},
    {"0046", kDepositInsufficient, true, "Layanan sedang tidak tersedia, silakan coba lagi nanti.",
     "The service is temporarily unavailable; please try again later."},
    {"0047", kKwhOverLimit, false, "Total kWh melebihi batas maksimum bulan ini.",
     "The total kWh would exceed this month's limit."},
    {"0063", kNoSuchPurchase, false, "Pembelian tidak terjadi, dana tidak terpotong.",
     "No purchase took place; you have not been charged."},
    {"0068", kPlnTimeout, true, "PLN sedang sibuk, silakan coba lagi nanti.", "PLN is busy; please try again later."},
    {"0077", kSubscriberSuspended, false, "Konsumen diblokir, hubungi PLN.", "This customer is suspended; please contact PLN."},
    {"0090", kCutOff, true, "Sedang proses cut-off PLN (23:30-00:30 WIB), silakan coba lagi setelah pukul 00:30 WIB.",
     "PLN's daily cut-off is in progress (23:30-00:30 WIB); please try again after 00:30 WIB."},
    {"0094", kDuplicate, false, "Transaksi ini sudah diproses.", "This transaction has already been processed."},
    {"0096", kNoSuchPurchase, false, "Pembelian tidak terjadi, dana tidak terpotong.",
     "No purchase took place; you have not been charged."},
    {"0097", kPartnerMismatch, false, "Transaksi gagal karena kesalahan sistem.", "The transaction failed because of a system error."},
    {"0098", kReferenceMismatch, false, "Transaksi gagal, silakan ulangi dari cek nomor meter.",
     "The transaction failed; please start again from the meter check."},
    {"0099", kPending, true, "Transaksi sedang diproses.", "The transaction is still being processed."},
};

constexpr ResponseCode kUnknown = {"", kUnknownCode, false, "Transaksi gagal, hubungi layanan pelanggan.",
                                   "The transaction failed; please contact customer service."};

constexpr std::array<std::string_view, static_cast<size_t>(kUnknownCode) + 1> kCauseNames = {
    "approved", "other_error", "partner_blocked", "invalid_access_time", "wrong_subscriber", "sign_on_first",
    "reversal_too_late", "invalid_amount", "unknown_subscriber", "meter_idpel_mismatch", "subscriber_blocked",
    "bad_message", "unknown_bank", "unknown_partner", "unknown_product", "below_minimum", "above_maximum",
    "invalid_admin_charge", "deposit_insufficient", "kwh_over_limit", "no_such_purchase", "pln_timeout",
    "subscriber_suspended", "cut_off", "duplicate", "partner_mismatch", "reference_mismatch", "pending",
    "unknown_code",
};

}  // namespace

const ResponseCode& lookup_response_code(std::string_view code) {
  const auto* it = std::find_if(std::begin(kResponseCodes), std::end(kResponseCodes),
                                [code](const ResponseCode& rc) { return rc.code == code; });
  return it == std::end(kResponseCodes) ? kUnknown : *it;
}

std::string_view cause_name(Cause cause) { return kCauseNames[static_cast<size_t>(cause)]; }

}  // namespace pintar::p2apst

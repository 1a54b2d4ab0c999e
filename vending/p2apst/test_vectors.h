// Known-answer messages for the P2APST codec tests.
#ifndef PINTAR_VENDING_P2APST_TEST_VECTORS_H_
#define PINTAR_VENDING_P2APST_TEST_VECTORS_H_

#include <string_view>

namespace pintar::p2apst::testing {

// A 2210 prepaid purchase response (PLN sandbox data) as published in the public
// repository sureonly88/pedami-payment, app/PlnServices/PrePaidService.php (sample
// response kept in a comment there). Switcher ST145S3, meter 01428800700, Rp 100,000,
// tariff "  R1" 900 VA, PPJ 1,500.00, instalment 5,000.00, Rp token 93,500.00, 154.55 kWh.
inline constexpr std::string_view kPedamiPurchaseResponse =
    "2210503200418281000605995023600000000100000000000123885201704111207452017041260210745100170745120170"
    "0000000000000000048241ST145S301428800700511288007004023163848726U102825174687906344020SYM21216745748"
    "78107B9832E9B739506993732IJUR                       R10000009000200000000002000000000020000000000200"
    "0015000020000500000200000935000020000015455067438951580668869910395151128022-1234567    001200000001"
    "00000064Rincian tagihan dapat diakses di www.pln.co.id atau PLN terdekat";

}  // namespace pintar::p2apst::testing

#endif  // PINTAR_VENDING_P2APST_TEST_VECTORS_H_

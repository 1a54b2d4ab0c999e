#!/usr/bin/env python3
"""Writes the seed corpus of receive_fuzz (fuzz_corpus/receive/*). Each seed is one octet
(read size: 0xFF = whole PDUs at once) followed by PDUs, field by field as in SMPP 3.4.
They include every PDU libsmpp34 1.14.1 is known to mishandle (docs/smpp.md)."""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "receive")


def pdu(command_id, body=b"", status=0, seq=1):
    return struct.pack(">IIII", 16 + len(body), command_id, status, seq) + body


def cstr(s):
    return s.encode() + b"\0"


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def deliver(sm=b"hello", esm=0, ton=1, npi=1, sched=b"", dcs=0, tlvs=b"", status=0, seq=7):
    body = (cstr("") + bytes([ton, npi]) + cstr("6281234567890") + bytes([0, 1]) + cstr("1234") +
            bytes([esm, 0, 0]) + sched + b"\0" + b"\0" + bytes([0, 0, dcs, 0, len(sm)]) + sm + tlvs)
    return pdu(0x00000005, body, status, seq)


def data_sm(tlvs, source="6281234567890"):
    body = cstr("") + bytes([1, 1]) + cstr(source) + bytes([0, 1]) + cstr("1234") + bytes([0, 0, 0]) + tlvs
    return pdu(0x00000103, body)


RECEIPT_TEXT = b"id:0000001A sub:001 dlvrd:001 submit date:2611251516 done date:2611251517 stat:DELIVRD err:000 text:hi"
SEEDS = {
    "bind_transceiver_resp": pdu(0x80000009, cstr("SMSCSIM") + tlv(0x0210, b"\x34")),
    "bind_refused_no_body": pdu(0x80000009, b"", 0x0E),
    "submit_sm_resp_ok": pdu(0x80000004, cstr("0000001A"), 0, 2),
    "submit_sm_resp_throttled_nul_body": pdu(0x80000004, b"\0", 0x58, 3),
    "submit_sm_resp_error_with_id": pdu(0x80000004, cstr("ABC"), 0x45, 4),
    "submit_sm_resp_vendor_0x400": pdu(0x80000004, b"", 0x400, 5),
    "generic_nack": pdu(0x80000000, b"", 0x03, 6),
    "enquire_link_and_unbind": pdu(0x15, seq=8) + pdu(0x80000015, seq=9) + pdu(0x06, seq=10) + pdu(0x80000006, seq=11),
    "unknown_command": pdu(0x00000200, b"xyz", 0, 12),
    "command_length_too_big": struct.pack(">IIII", 0x7FFFFFFF, 5, 0, 13),
    "command_length_too_small": struct.pack(">IIII", 8, 0x15, 0, 14),
    "deliver_receipt_tlv_and_text": deliver(RECEIPT_TEXT, esm=0x04,
                                            tlvs=tlv(0x001E, cstr("0000001A")) + tlv(0x0427, b"\x02")),
    "deliver_30_small_tlvs": deliver(tlvs=tlv(0x1400, b"\x01") * 30),
    "deliver_40_small_tlvs": deliver(tlvs=tlv(0x1400, b"\x01") * 40),
    "deliver_message_payload_1500": deliver(b"", tlvs=tlv(0x0424, b"B" * 1500)),
    "deliver_vendor_tlv_1500": deliver(tlvs=tlv(0x1401, b"A" * 1500)),
    "deliver_vendor_status_0x400": deliver(status=0x400),
    "deliver_ton_7": deliver(ton=7),
    "deliver_schedule_time": deliver(sched=b"261125160000000+"),
    "deliver_udh_parts": deliver(b"\x05\x00\x03\x07\x02\x02world", esm=0x40) +
                         deliver(b"\x05\x00\x03\x07\x02\x01hello ", esm=0x40, seq=8),
    "deliver_sar_ucs2": deliver("Привет".encode("utf-16-be"), dcs=8,
                                tlvs=tlv(0x020C, b"\x01\x2C") + tlv(0x020E, b"\x02") + tlv(0x020F, b"\x01")),
    "deliver_tlv_overrun": deliver(tlvs=b"\x04\x24\x00\x09zz"),
    "deliver_typed_tlv_wrong_length": deliver(tlvs=tlv(0x0427, b"\x02\x02") + tlv(0x020C, b"\x01")),
    "data_sm_long_source": data_sm(tlv(0x0424, b"hi"), source="9" * 30),
    "data_sm_receipt": data_sm(tlv(0x001E, cstr("26")) + tlv(0x0427, b"\x05")),
}


def main():
    os.makedirs(HERE, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(b"\xff" + data)


if __name__ == "__main__":
    main()

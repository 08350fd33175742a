// UDP probe payloads: requests that make a service on a well-known port
// answer, so an open port is seen as open rather than open|filtered.
#include "validator/prober/scanner.h"

namespace fwc::prober {

namespace {

// DNS: a standard query for the root's NS records.
Bytes dns_query() {
  return {0x66, 0x77, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x02, 0x00, 0x01};
}

// NTP: a version 4 client request, 48 bytes.
Bytes ntp_request() {
  Bytes b(48, 0);
  b[0] = 0x23;  // LI 0, version 4, mode 3 (client)
  return b;
}

// SNMP v2c get-request for sysDescr.0 with community "public".
Bytes snmp_get() {
  return {0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa0, 0x1c,
          0x02, 0x04, 0x46, 0x77, 0x63, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e,
          0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
}

// QUIC: a long-header Initial-shaped packet with a reserved version, which
// a QUIC server answers with Version Negotiation. Padded to 1200 bytes.
Bytes quic_initial() {
  Bytes b(1200, 0);
  b[0] = 0xc0;
  b[1] = 0x1a, b[2] = 0x2a, b[3] = 0x3a, b[4] = 0x4a;  // reserved version 0x?a?a?a?a
  b[5] = 8;                                             // destination connection ID length
  for (int i = 0; i < 8; ++i) b[6 + i] = uint8_t(0x10 + i);
  b[14] = 0;  // source connection ID length
  return b;
}

// WireGuard: the shape of a handshake initiation (type 1, 148 bytes).
// A peer only answers a valid one; the shape keeps middleboxes honest.
Bytes wireguard_initiation() {
  Bytes b(148, 0);
  b[0] = 1;
  return b;
}

}  // namespace

Bytes udp_payload(uint16_t port) {
  switch (port) {
    case 53: case 5353: return dns_query();
    case 123: return ntp_request();
    case 161: return snmp_get();
    case 443: case 4433: case 8443: return quic_initial();
    case 51820: return wireguard_initiation();
    default: return {};
  }
}

}  // namespace fwc::prober

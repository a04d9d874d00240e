//! Packet-space algebra and NACL first-match evaluation.

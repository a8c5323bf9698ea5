//! Test helpers shared by unit tests.

/// xorshift64*: a tiny deterministic generator for bounded fuzz loops, so
/// failures reproduce without a random-number crate.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// Next 64 pseudo-random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A pseudo-random byte.
    pub(crate) fn byte(&mut self) -> u8 {
        (self.next() >> 56) as u8
    }
}

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| charter_fuzz::site(data));

"""A GPU out-of-memory error is reported as one, with what the failing allocation asked
for: the runner turns it into a memory verdict. Run by the repository's npm test (no torch)."""

import unittest

from perf_gate import _serve

# The message torch 2.11 raised when the math attention kernel met 48 frames of VGGT-1B.
TORCH_MESSAGE = (
    "CUDA out of memory. Tried to allocate 109.51 GiB. GPU 0 has a total capacity of 139.81 GiB "
    "of which 98.31 GiB is free. Including non-PyTorch memory, this process has 41.49 GiB memory in use."
)


class OutOfMemory(unittest.TestCase):
    def test_a_runtime_error_that_says_out_of_memory_is_one_with_the_size_it_tried(self):
        facts = _serve.out_of_memory(RuntimeError(TORCH_MESSAGE))
        self.assertEqual(facts["triedBytes"], int(109.51 * 2**30))
        # No torch here: the allocator's peaks are unknown, not invented.
        self.assertEqual((facts["maxAllocatedBytes"], facts["maxReservedBytes"]), (None, None))

    def test_the_size_may_be_missing_from_another_library_s_message(self):
        self.assertEqual(_serve.out_of_memory(RuntimeError("CUDA error: out of memory"))["triedBytes"], None)

    def test_other_errors_are_not_out_of_memory(self):
        self.assertIsNone(_serve.out_of_memory(ValueError("out of memory")))  # not a runtime error
        self.assertIsNone(_serve.out_of_memory(RuntimeError("shape mismatch")))


class ErrorCarriesWhatWasKnown(unittest.TestCase):
    def test_the_error_reply_says_the_dtype_seen_before_the_step_ran_out(self):
        sent = []

        class Channel:
            def send(self, message):
                sent.append(message)

        def step():
            raise RuntimeError(TORCH_MESSAGE)

        known = {"dtype": "bf16", "dtypeSource": "autocast"}  # autocast seen at the first forward
        with self.assertRaises(SystemExit):
            _serve._guard(Channel(), "step", step, info=lambda: known)
        self.assertEqual(sent[0]["type"], "error")
        self.assertEqual(sent[0]["info"], known)
        self.assertEqual(sent[0]["outOfMemory"]["triedBytes"], int(109.51 * 2**30))


if __name__ == "__main__":
    unittest.main()

"""The profile's parts are independent: one that fails is named, the others are kept.
Stand-ins for the passes (no torch needed); run by the repository's npm test."""

import unittest

from perf_gate import _profile


def raises(error):
    def part():
        raise error

    return part


class IndependentParts(unittest.TestCase):
    def reply(self):
        return _profile._reply(True, parameterDtype="fp32", autocastDtype="bf16")

    def test_a_failing_flop_count_costs_only_the_flop_count(self):
        # What torch 2.11's FlopCounterMode did inside VGGT-1B's camera head.
        flops = raises(AttributeError("'NoneType' object has no attribute 'next_functions'"))
        parts = [
            ("dispatch", lambda: {"matmulDtypes": {"bf16": 40}, "_dispatchedOps": {"aten::_scaled_dot_product_cudnn_attention": 72}}),
            ("flops", flops),
            ("profiler", lambda: {"kernels": [{"name": "cudnn_sdpa", "count": 72, "deviceUs": 9000.0}], "totalDeviceUs": 30000.0, "ops": {"aten::linear": 300}}),
        ]
        reply = _profile.run_parts(self.reply(), parts)
        self.assertTrue(reply["available"])
        self.assertEqual(
            reply["failedParts"], {"flops": "AttributeError: 'NoneType' object has no attribute 'next_functions'"}
        )
        self.assertIsNone(reply["flops"])
        self.assertEqual(reply["matmulDtypes"], {"bf16": 40})
        self.assertEqual(reply["kernels"][0]["name"], "cudnn_sdpa")
        # The dispatched attention operator fills what the profiler's list lacks.
        self.assertEqual(reply["ops"], {"aten::linear": 300, "aten::_scaled_dot_product_cudnn_attention": 72})
        self.assertEqual(reply["parameterDtype"], "fp32")

    def test_the_attention_operator_survives_a_failed_profiler_pass(self):
        parts = [
            ("dispatch", lambda: {"matmulDtypes": {"fp32": 3}, "_dispatchedOps": {"aten::_scaled_dot_product_flash_attention": 2}}),
            ("flops", lambda: {"flops": 1000}),
            ("profiler", raises(RuntimeError("CUPTI_ERROR_NOT_INITIALIZED"))),
        ]
        reply = _profile.run_parts(self.reply(), parts)
        self.assertTrue(reply["available"])
        self.assertEqual(list(reply["failedParts"]), ["profiler"])
        self.assertEqual(reply["ops"], {"aten::_scaled_dot_product_flash_attention": 2})
        self.assertEqual(reply["flops"], 1000)

    def test_with_every_part_failed_the_reason_names_each(self):
        parts = [("dispatch", raises(ValueError("a"))), ("flops", raises(TypeError("b"))), ("profiler", raises(OSError("c")))]
        reply = _profile.run_parts(self.reply(), parts)
        self.assertFalse(reply["available"])
        self.assertEqual(reply["reason"], "profiling failed (dispatch: ValueError: a; flops: TypeError: b; profiler: OSError: c)")

    def test_under_torchrun_a_part_another_rank_failed_is_dropped_on_every_rank(self):
        answers = iter([True, False, True])  # every rank's verdict per part: flops failed elsewhere
        parts = [("dispatch", lambda: {"matmulDtypes": {"bf16": 1}}), ("flops", lambda: {"flops": 5}), ("profiler", lambda: {"kernels": []})]
        reply = _profile.run_parts(self.reply(), parts, all_ok=lambda ok: ok and next(answers))
        self.assertEqual(reply["failedParts"], {"flops": "failed on another rank"})
        self.assertIsNone(reply["flops"])
        self.assertEqual(reply["matmulDtypes"], {"bf16": 1})


try:
    import torch
except ImportError:  # the repository's npm test runs without torch
    torch = None


class HostReadsWithoutTorch(unittest.TestCase):  # what the repository's npm test can run
    def test_only_a_tensor_off_the_cpu_counts_by_default(self):
        class Device:
            def __init__(self, kind):
                self.type = kind

        class Tensor:
            def __init__(self, kind):
                self.device = Device(kind)

        self.assertTrue(_profile._on_device(Tensor("cuda")))
        self.assertFalse(_profile._on_device(Tensor("cpu")))
        self.assertLessEqual({"item", "_local_scalar_dense", "is_nonzero"}, _profile._HOST_READS)


@unittest.skipIf(torch is None, "needs torch (e.g. the CPU wheel)")
class HostReads(unittest.TestCase):
    def test_the_dispatch_pass_counts_each_value_read_into_python(self):
        # As VGGT-1B's rotary embedding does in each attention layer: int(positions.max()).
        def step(state):
            x = state["x"]
            for _ in range(3):
                x = x @ state["w"]
                int(x.abs().max() > 0)
            return x.sum().item()

        state = {"x": torch.randn(4, 8), "w": torch.randn(8, 8)}
        facts = _profile._dispatch_pass(torch, step, state, use_cuda=False, counts_as_read=lambda t: True)
        self.assertEqual(facts["hostReads"], 4)
        self.assertEqual(facts["matmulDtypes"], {"fp32": 3})
        # By default only reads that wait for a device count: on the CPU, none.
        self.assertEqual(_profile._dispatch_pass(torch, step, state, use_cuda=False)["hostReads"], 0)

    def test_under_inference_mode_too(self):  # where the recorder sees aten::item, is_nonzero
        def step(state):
            p = state["p"]
            with torch.inference_mode():
                values = [int(p.max()), float(p.sum()), bool(p.min() == 0)]
                if p.max() > 3:
                    values.append(torch.equal(p, p))
                return values, p.nonzero()

        facts = _profile._dispatch_pass(torch, step, {"p": torch.arange(6)}, use_cuda=False, counts_as_read=lambda t: True)
        self.assertEqual(facts["hostReads"], 6)

    def test_a_step_that_stays_on_the_device_reads_nothing(self):
        state = {"x": torch.randn(4, 8)}
        facts = _profile._dispatch_pass(torch, lambda s: s["x"] * 2, state, use_cuda=False, counts_as_read=lambda t: True)
        self.assertEqual(facts["hostReads"], 0)


if __name__ == "__main__":
    unittest.main()

"""Unit tests of the client's torch-free logic (run by the repository's npm test)."""

import os
import socket
import tempfile
import threading
import unittest
from unittest import mock

from perf_gate import _channel, _distributed, _serve


class MergeResults(unittest.TestCase):
    def test_each_iteration_takes_the_slowest_rank_and_every_rank_memory_is_kept(self):
        rank0 = {
            "type": "result",
            "samples": [{"hostMs": 10.0, "deviceMs": 9.5}, {"hostMs": 11.0, "deviceMs": 10.5}],
            "memory": [{"device": 0, "maxAllocatedBytes": 1, "maxReservedBytes": 2, "rank": 0}],
            "info": {"dtype": "bf16"},
        }
        rank1 = {
            "type": "result",
            "samples": [{"hostMs": 12.0, "deviceMs": 11.5}, {"hostMs": 10.0, "deviceMs": 9.0}],
            "memory": [{"device": 1, "maxAllocatedBytes": 3, "maxReservedBytes": 4, "rank": 1}],
        }
        merged = _distributed.merge_results([rank0, rank1])
        self.assertEqual(merged["samples"], [{"hostMs": 12.0, "deviceMs": 11.5}, {"hostMs": 11.0, "deviceMs": 10.5}])
        self.assertEqual([m["rank"] for m in merged["memory"]], [0, 1])
        self.assertEqual(merged["info"], {"dtype": "bf16"})  # rank 0 speaks for the job

    def test_a_rank_without_device_time_makes_the_iteration_host_timed(self):
        a = {"samples": [{"hostMs": 1.0, "deviceMs": 0.9}], "memory": []}
        b = {"samples": [{"hostMs": 1.2, "deviceMs": None}], "memory": []}
        self.assertEqual(_distributed.merge_results([a, b])["samples"], [{"hostMs": 1.2, "deviceMs": None}])

    def test_a_single_process_result_passes_through(self):
        a = {"samples": [{"hostMs": 1.0, "deviceMs": None}], "memory": [{"device": 0}]}
        self.assertEqual(_distributed.merge_results([a]), a)


class Launch(unittest.TestCase):
    def test_rank_and_world_size_mean_a_launcher_started_this_process(self):
        with mock.patch.dict(os.environ, {"RANK": "0", "WORLD_SIZE": "2"}):
            self.assertTrue(_distributed.launched_by_launcher())
        with mock.patch.dict(os.environ, {}, clear=True):
            self.assertFalse(_distributed.launched_by_launcher())

    def test_the_backend_can_be_chosen_by_environment(self):
        with mock.patch.dict(os.environ, {_distributed.BACKEND_ENV: "gloo"}):
            self.assertEqual(_distributed.default_backend(), "gloo")

    def test_a_single_process_is_rank_0_of_1_and_relays_nothing(self):
        with mock.patch.dict(os.environ, {}, clear=True):
            ranks = _distributed.join()
        self.assertEqual((ranks.rank, ranks.world_size, ranks.launched), (0, 1, False))
        self.assertEqual(ranks.share({"type": "run"}), {"type": "run"})
        self.assertEqual(ranks.gather("x"), ["x"])


class DeviceLabel(unittest.TestCase):
    """Under torchrun the report must say how many ranks ran: the hello says so, and the
    reply to setup, which the runner takes as the later word, must not hide it (it did,
    until a two-rank run on one GPU showed only "cuda:0 ...")."""

    class TwoRanks:  # what _distributed.join() gives rank 0 of two, without torch
        rank, local_rank, world_size, backend, launched = 0, 0, 2, "gloo", True

    def test_hello_and_the_setup_reply_both_name_the_ranks(self):
        hello = _serve._hello(self.TwoRanks(), None, "demo")
        self.assertTrue(hello["device"].startswith("2 ranks (gloo); rank 0 on "), hello["device"])
        session = _serve._Session({"side": "head", "dtype": "fp32"}, lambda ctx: {}, self.TwoRanks())
        self.assertEqual(session.describe()["device"], hello["device"])

    def test_a_single_process_is_named_by_its_device_alone(self):
        self.assertNotIn("ranks", _serve._hello(_distributed.Single(), None, None)["device"])


class Channel(unittest.TestCase):
    def test_a_launched_rank_uses_the_socket_even_if_fds_3_and_4_are_open(self):
        # torchrun closes the runner's fds; numbers 3 and 4 may be reused by anything.
        directory = tempfile.mkdtemp()
        path = os.path.join(directory, "worker.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        received = []

        def answer():
            conn, _ = server.accept()
            with conn:
                conn.sendall(b'{"type": "setup"}\n')
                received.append(conn.makefile("r").readline())

        thread = threading.Thread(target=answer)
        thread.start()
        env = {"PERF_GATE_SOCKET": path, "PERF_GATE_FD_IN": "3", "PERF_GATE_FD_OUT": "4"}
        with mock.patch.dict(os.environ, env):
            channel = _channel.Channel.from_environment(launched=True)
        self.assertEqual(channel.receive(), {"type": "setup"})
        channel.send({"type": "hello"})
        thread.join(5)
        server.close()
        self.assertEqual(received, ['{"type": "hello"}\n'])

    def test_without_any_channel_the_script_explains_how_it_is_meant_to_run(self):
        with mock.patch.dict(os.environ, {}, clear=True), self.assertRaises(SystemExit) as exit_:
            _channel.Channel.from_environment(launched=False)
        self.assertEqual(exit_.exception.code, 2)


if __name__ == "__main__":
    unittest.main()

# Run by test/nbpr-runtime-elixir.test.ts inside a staged nbpr_runtime project (mix run):
# checks the generated runtime on the host BEAM and prints one "ok: ..." line per check.
defmodule Check do
  def ok(what), do: IO.puts("ok: #{what}")
  def fail(what), do: (IO.puts("FAIL: #{what}"); System.halt(1))
  def assert(true, what), do: ok(what)
  def assert(_, what), do: fail(what)

  def wait_until(fun, tries \\ 100) do
    cond do
      fun.() -> true
      tries == 0 -> false
      true -> Process.sleep(50); wait_until(fun, tries - 1)
    end
  end
end

heartbeat = NbprRuntime.priv_dir("nbpr-heartbeat")
hello = NbprRuntime.priv_dir("nbpr-hello")
demo = NbprRuntime.priv_dir("demo-lib")

path = System.get_env("PATH") |> String.split(":")
Check.assert(Enum.take(path, 3) == [Path.join(demo, "usr/bin"), Path.join(heartbeat, "usr/sbin"), Path.join(hello, "usr/bin")], "the Application put every package's bin dirs first on PATH: #{inspect(Enum.take(path, 3))}")
Check.assert(System.get_env("LD_LIBRARY_PATH") |> String.split(":") |> hd() == Path.join(demo, "usr/lib"), "the Application put the lib dirs on LD_LIBRARY_PATH")
Check.assert(System.get_env("NBPR_HELLO_GREETING") == "Hello from #{hello}", "runtimeEnv with ${NBPR_PRIV} expanded")
Check.assert(System.get_env("DEMO_PLUGINS") == "#{demo}/a:#{demo}/b", "values of one variable joined with ':'")
{out, 0} = System.cmd("nbpr-hello", ["world"])
Check.assert(out == "Hello from #{hello}: world\n", "a staged program runs from PATH: #{inspect(out)}")
{out, 0} = System.cmd("sh", ["-c", "echo $NBPR_HELLO_GREETING"], env: NbprRuntime.env(%{"PATH" => "/usr/bin:/bin"}))
Check.assert(out == "Hello from #{hello}\n", "env/1 gives one command the same environment")

module = NBPR.NbprHeartbeat.NbprHeartbeat
Check.assert(module.argv(interval: 2) == ["--foreground", "--interval", "2"], "argv: forced foreground flag, then options")
Check.assert(module.argv([]) == ["--foreground", "--interval", "5"], "argv: defaults apply")
Check.assert(match?({:error, _} , (try do {:ok, module.argv(interval: "2")} rescue e in ArgumentError -> {:error, e} end)), "a wrongly typed option is refused")
Check.assert(match?({:error, _}, (try do {:ok, module.start_link(intervall: 2)} rescue e in ArgumentError -> {:error, e} end)), "an unknown option is refused")
Check.assert(module.child_spec(id: :a).id != module.child_spec([]).id, "distinct child ids")

{:ok, sup} = Supervisor.start_link([{module, interval: 1, message: "beat-from-test"}], strategy: :one_for_one, max_restarts: 5)
[{_, daemon, _, _}] = Supervisor.which_children(sup)
first = MuonTrap.Daemon.os_pid(daemon)
Check.assert(Check.wait_until(fn -> MuonTrap.Daemon.output(daemon) =~ "beat-from-test" end), "the daemon runs the staged shell script under the supervisor")
System.cmd("kill", ["-9", Integer.to_string(first)])
Check.assert(Check.wait_until(fn -> match?([{_, p, _, _}] when is_pid(p) and p != daemon, Supervisor.which_children(sup)) end), "killed, it is restarted by its supervisor")
[{_, again, _, _}] = Supervisor.which_children(sup)
second = MuonTrap.Daemon.os_pid(again)
Check.assert(second != first and Check.wait_until(fn -> MuonTrap.Daemon.output(again) =~ "beat-from-test" end), "a new process (#{first} -> #{second}) beats again")
Supervisor.stop(sup)

# The kernel-module loader, against fake modinfo/insmod/modprobe that log their calls.
fake = System.get_env("FAKE_KMOD_DIR")
sys = Path.join(fake, "sys-module")
System.put_env("PATH", Path.join(fake, "bin") <> ":" <> System.get_env("PATH"))
:ok = NbprRuntime.KernelModules.load("wireguard", sys_module_dir: sys)
calls = File.read!(Path.join(fake, "calls.log")) |> String.split("\n", trim: true)
Check.assert(calls == [
  "modinfo -F depends wireguard",
  "modinfo -F depends ip6_udp_tunnel",
  "modinfo -n ip6_udp_tunnel",
  "insmod /lib/modules/ip6_udp_tunnel.ko",
  "modinfo -n wireguard",
  "insmod /lib/modules/wireguard.ko",
  "modprobe wireguard"
], "kmod loader: dependencies first, already-loaded udp_tunnel skipped, insmod by path, modprobe fallback: #{inspect(calls)}")
Check.assert(match?({:error, _}, NbprRuntime.KernelModules.load("missing_module", sys_module_dir: sys)), "a module that cannot be loaded is an error value, not a crash")
IO.puts("all checks passed")

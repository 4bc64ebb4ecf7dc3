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
demo2 = NbprRuntime.priv_dir("demo-two")

path = System.get_env("PATH") |> String.split(":")
Check.assert(Enum.take(path, 3) == [Path.join(demo, "usr/bin"), Path.join(heartbeat, "usr/sbin"), Path.join(hello, "usr/bin")], "the Application put every package's bin dirs first on PATH: #{inspect(Enum.take(path, 3))}")
Check.assert(System.get_env("LD_LIBRARY_PATH") |> String.split(":") |> hd() == Path.join(demo, "usr/lib"), "the Application put the lib dirs on LD_LIBRARY_PATH")
Check.assert(System.get_env("NBPR_HELLO_GREETING") == "Hello from #{hello}", "runtimeEnv with ${NBPR_PRIV} expanded")
Check.assert(System.get_env("DEMO_PLUGINS") == "#{demo}/a:#{demo2}/b", "values of one variable from two packages joined with ':'")
NbprRuntime.put_env()
again = System.get_env("PATH") |> String.split(":")
Check.assert(again == path and Enum.count(again, &(&1 == Path.join(hello, "usr/bin"))) == 1, "put_env/0 again changes nothing: each dir once")
env = NbprRuntime.env(%{"PATH" => "/usr/bin:/bin", "NBPR_HELLO_GREETING" => "mine"})
Check.assert(not List.keymember?(env, "NBPR_HELLO_GREETING", 0), "a variable the user set keeps its value")
Check.assert(:proplists.get_value("PATH", env) |> String.ends_with?(":/usr/bin:/bin"), "PATH adds to what is there")
Check.assert(not Enum.any?(env, fn {_, value} -> value == "" end), "no variable is set empty")
{out, 0} = System.cmd("nbpr-hello", ["world"])
Check.assert(out == "Hello from #{hello}: world\n", "a staged program runs from PATH: #{inspect(out)}")
{out, 0} = System.cmd("sh", ["-c", "echo $NBPR_HELLO_GREETING"], env: NbprRuntime.env(%{"PATH" => "/usr/bin:/bin"}))
Check.assert(out == "Hello from #{hello}\n", "env/1 gives one command the same environment")

module = NBPR.NbprHeartbeat.NbprHeartbeat
Check.assert(module.argv(interval: 2) == ["--foreground", "--interval", "2"], "argv: forced foreground flag, then options")
Check.assert(module.argv([]) == ["--foreground", "--interval", "5"], "argv: defaults apply")
refused = fn fun -> try do fun.(); nil rescue e in ArgumentError -> Exception.message(e) end end
Check.assert(refused.(fn -> module.argv(interval: "2") end) =~ "option :interval must be an integer, got \"2\"", "a wrongly typed option is refused, in English")
Process.flag(:trap_exit, true)
unknown = module.start_link(intervall: 2)
receive do
  {:EXIT, _, _} -> :ok
after
  1000 -> :ok
end
Process.flag(:trap_exit, false)
Check.assert(match?({:error, {%ArgumentError{message: "invalid option :intervall" <> _}, _}}, unknown), "an unknown option reaches MuonTrap, which refuses it: #{inspect(unknown, limit: 3)}")
Check.assert(refused.(fn -> module.start_link([2]) end) =~ "options must be a keyword list", "positional options are refused with what is expected")
{:ok, quiet} = module.start_link(interval: 1, log_output: :debug, stderr_to_stdout: true, delay_to_sigkill: 100)
Check.ok("MuonTrap's own options (log_output, stderr_to_stdout, delay_to_sigkill) pass through")
GenServer.stop(quiet)
Check.assert(module.child_spec(id: :a).id != module.child_spec([]).id, "distinct child ids")

{:ok, sup} = Supervisor.start_link([{module, interval: 1, message: "beat-from-test"}], strategy: :one_for_one, max_restarts: 5)
[{_, daemon, _, _}] = Supervisor.which_children(sup)
first = MuonTrap.Daemon.os_pid(daemon)
Check.assert(Check.wait_until(fn -> MuonTrap.Daemon.output(daemon) =~ "beat-from-test" end), "the daemon runs the staged shell script under the supervisor")
# os_pid is the wrapper MuonTrap runs the program under: kill the program itself.
{children, 0} = System.cmd("pgrep", ["-P", Integer.to_string(first)])
System.cmd("kill", ["-9" | String.split(children)])
Check.assert(Check.wait_until(fn -> match?([{_, p, _, _}] when is_pid(p) and p != daemon, Supervisor.which_children(sup)) end), "killed, it is restarted by its supervisor")
[{_, again, _, _}] = Supervisor.which_children(sup)
second = MuonTrap.Daemon.os_pid(again)
Check.assert(second != first and Check.wait_until(fn -> MuonTrap.Daemon.output(again) =~ "beat-from-test" end), "a new process (#{first} -> #{second}) beats again")
Supervisor.stop(sup)

# Kernel modules: never at boot on a development host; on a Nerves target, the kernel's by
# modprobe, an out-of-tree .ko by insmod after its dependencies; one failure, reported once.
fake = System.get_env("FAKE_KMOD_DIR")
sys = Path.join(fake, "sys-module")
log = Path.join(fake, "calls.log")
Check.assert(not File.exists?(log) and not NbprRuntime.KernelModules.load_at_boot?(), "nothing was loaded at boot on this host")
Check.assert(NbprRuntime.KernelModules.nerves_target?([Path.join(fake, "os-release")]) and not NbprRuntime.KernelModules.nerves_target?(["/etc/os-release"]), "a Nerves target is told by its os-release ID=nerves")
System.put_env("PATH", Path.join(fake, "bin") <> ":" <> System.get_env("PATH"))
result = NbprRuntime.KernelModules.load_all(sys_module_dir: sys)
Check.assert(match?({:error, [{"demo-lib", "missing_module", _}]}, result), "load_all returns the failure: #{inspect(result)}")
calls = File.read!(log) |> String.split("\n", trim: true)
ko = Path.join(demo, "extra/demo.ko")
Check.assert(calls == ["modprobe wireguard", "modinfo -F depends #{ko}", "modprobe ip6_udp_tunnel", "insmod #{ko}", "modprobe missing_module"], "the kernel's by modprobe, the .ko after its dependencies (the loaded udp_tunnel skipped): #{inspect(calls)}")
System.put_env("PATH", "/usr/bin:/bin")
{:error, reason} = NbprRuntime.KernelModules.load("extra/demo.ko", package: "demo-lib", sys_module_dir: sys)
Check.assert(reason =~ "add the kmod package", "without insmod or modinfo on PATH (a stock Nerves busybox), the error says what to add: #{reason}")
IO.puts("all checks passed")

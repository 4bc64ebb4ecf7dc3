defmodule NbprRuntime.Data do
  @moduledoc false
  # What NBPR stage wrote of the packages, read when this project compiles: an Erlang external
  # term in priv/, so that no catalogue text is ever part of the source.

  @path Path.expand("../../priv/nbpr_runtime.etf", __DIR__)
  @external_resource @path
  @data @path |> File.read!() |> :erlang.binary_to_term([:safe])

  @spec packages() :: [map()]
  def packages, do: @data.packages

  @spec daemon(String.t()) :: map()
  def daemon(module), do: Map.fetch!(@data.daemons, module)
end

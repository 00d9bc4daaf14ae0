//===- QuantDialect.td - the dsq dialect -------------------*- tablegen -*-===//
#ifndef DS_QUANT_DIALECT
#define DS_QUANT_DIALECT

include "mlir/IR/OpBase.td"

def DSQ_Dialect : Dialect {
  let name = "dsq";
  let cppNamespace = "::mlir::ds::quant";
  let summary = "Quantized tensors with compile-time weight scales and "
                "run-time activation scales";
  let description = [{
    `dsq` holds what `ds-quantize` produces: weights quantized at compile
    time (`dsq.weight`), activations quantized at run time from their
    measured absolute maximum (`dsq.dynamic_quantize`), and the products that
    accumulate in 32-bit integers before rescaling to float (`dsq.qmatmul`).

    All quantization is symmetric (no zero point): a quantized value `q`
    with scale `s` stands for `q * s`. Storage is `i8` everywhere; 4-bit
    values are either unpacked (one per `i8`, range [-7, 7]) or, for
    weights, packed two to a byte: element `2j` in the low nibble and
    `2j + 1` in the high nibble of byte `j`, each a two's-complement 4-bit
    number.

    Scales follow one rule: a scale tensor is either rank 0 (one scale for
    the whole tensor) or has the rank of the (unpacked) quantized tensor,
    the same leading sizes, and a last size `K / group` where `group`
    divides `K`, the size of the quantized tensor's last dimension. So a
    per-row (per-token) activation scale of a `[T, K]` tensor is `[T, 1]`,
    a per-output-channel weight scale of `[N, K]` weights is `[N, 1]`, and
    group-128 weight scales are `[N, K / 128]`.
  }];
}

#endif // DS_QUANT_DIALECT

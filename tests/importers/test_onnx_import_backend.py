"""The ONNX package's own test models (``onnx/backend/test/data``), which nobody here wrote.

Every model whose operators are in scope imports, and ``import_onnx`` has compared it with
onnxruntime on random inputs before it returns (rtol 1e-3, atol 1e-5); the light classic
networks (AlexNet, DenseNet-121, GoogLeNet (Inception v1), Inception v2, ResNet-50, ShuffleNet, SqueezeNet, VGG-19,
ZFNet-512) are among them. (Their weights are constant fills, replaced here by random ones so that the comparison
means something.) The rest are listed with the reason they do not import, and the
test fails when one of them starts working, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from light_models import with_random_weights

from netbuilder.importers.errors import ModelImportError
from netbuilder.importers.onnx_import import import_onnx

DATA = Path(onnx.__file__).parent / "backend" / "test" / "data"


def _all_models() -> list[str]:
    found = [*DATA.glob("*/*/model.onnx"), *DATA.glob("light/*.onnx")]
    return sorted(str(p.relative_to(DATA)) for p in found)


IN_SCOPE = [
    "light/light_bvlc_alexnet.onnx",
    "light/light_densenet121.onnx",
    "light/light_inception_v1.onnx",
    "light/light_inception_v2.onnx",
    "light/light_resnet50.onnx",
    "light/light_shufflenet.onnx",
    "light/light_squeezenet.onnx",
    "light/light_vgg19.onnx",
    "light/light_zfnet512.onnx",
    "pytorch-converted/test_AvgPool2d/model.onnx",
    "pytorch-converted/test_AvgPool2d_stride/model.onnx",
    "pytorch-converted/test_BatchNorm1d_3d_input_eval/model.onnx",
    "pytorch-converted/test_BatchNorm2d_eval/model.onnx",
    "pytorch-converted/test_BatchNorm2d_momentum_eval/model.onnx",
    "pytorch-converted/test_ConstantPad2d/model.onnx",
    "pytorch-converted/test_Conv1d/model.onnx",
    "pytorch-converted/test_Conv1d_dilated/model.onnx",
    "pytorch-converted/test_Conv1d_groups/model.onnx",
    "pytorch-converted/test_Conv1d_pad1/model.onnx",
    "pytorch-converted/test_Conv1d_pad1size1/model.onnx",
    "pytorch-converted/test_Conv1d_pad2/model.onnx",
    "pytorch-converted/test_Conv1d_pad2size1/model.onnx",
    "pytorch-converted/test_Conv1d_stride/model.onnx",
    "pytorch-converted/test_Conv2d/model.onnx",
    "pytorch-converted/test_Conv2d_depthwise/model.onnx",
    "pytorch-converted/test_Conv2d_depthwise_padded/model.onnx",
    "pytorch-converted/test_Conv2d_depthwise_strided/model.onnx",
    "pytorch-converted/test_Conv2d_depthwise_with_multiplier/model.onnx",
    "pytorch-converted/test_Conv2d_dilated/model.onnx",
    "pytorch-converted/test_Conv2d_groups/model.onnx",
    "pytorch-converted/test_Conv2d_groups_thnn/model.onnx",
    "pytorch-converted/test_Conv2d_no_bias/model.onnx",
    "pytorch-converted/test_Conv2d_padding/model.onnx",
    "pytorch-converted/test_Conv2d_strided/model.onnx",
    "pytorch-converted/test_ConvTranspose2d/model.onnx",
    "pytorch-converted/test_ConvTranspose2d_no_bias/model.onnx",
    "pytorch-converted/test_ELU/model.onnx",
    "pytorch-converted/test_LeakyReLU/model.onnx",
    "pytorch-converted/test_LeakyReLU_with_negval/model.onnx",
    "pytorch-converted/test_Linear/model.onnx",
    "pytorch-converted/test_Linear_no_bias/model.onnx",
    "pytorch-converted/test_LogSoftmax/model.onnx",
    "pytorch-converted/test_MaxPool1d/model.onnx",
    "pytorch-converted/test_MaxPool1d_stride/model.onnx",
    "pytorch-converted/test_MaxPool2d/model.onnx",
    "pytorch-converted/test_PReLU_1d/model.onnx",
    "pytorch-converted/test_PixelShuffle/model.onnx",
    "pytorch-converted/test_PReLU_2d/model.onnx",
    "pytorch-converted/test_PReLU_3d/model.onnx",
    "pytorch-converted/test_ReLU/model.onnx",
    "pytorch-converted/test_SELU/model.onnx",
    "pytorch-converted/test_Sigmoid/model.onnx",
    "pytorch-converted/test_Softmax/model.onnx",
    "pytorch-converted/test_Softplus/model.onnx",
    "pytorch-converted/test_Tanh/model.onnx",
    "pytorch-converted/test_ZeroPad2d/model.onnx",
    "pytorch-converted/test_log_softmax_dim3/model.onnx",
    "pytorch-converted/test_log_softmax_lastdim/model.onnx",
    "pytorch-converted/test_softmax_functional_dim3/model.onnx",
    "pytorch-converted/test_softmax_lastdim/model.onnx",
    "pytorch-operator/test_operator_concat2/model.onnx",
    "pytorch-operator/test_operator_conv/model.onnx",
    "pytorch-operator/test_operator_convtranspose/model.onnx",
    "pytorch-operator/test_operator_flatten/model.onnx",
    "pytorch-operator/test_operator_maxpool/model.onnx",
    "pytorch-operator/test_operator_selu/model.onnx",
    "simple/test_single_relu_model/model.onnx",
]

# Each with the reason it does not import; the test fails when one starts working.
OUT_OF_SCOPE = {
    "pytorch-converted/test_AvgPool1d/model.onnx":
        "1-D pooling written as Unsqueeze -> 2-D pool -> Squeeze",
    "pytorch-converted/test_AvgPool1d_stride/model.onnx":
        "1-D pooling written as Unsqueeze -> 2-D pool -> Squeeze",
    "pytorch-converted/test_AvgPool3d/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_AvgPool3d_stride/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_AvgPool3d_stride1_pad0_gpu_input/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_BatchNorm3d_eval/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_BatchNorm3d_momentum_eval/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_dilated/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_dilated_strided/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_groups/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_no_bias/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_stride/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Conv3d_stride_padding/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_Embedding/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-converted/test_Embedding_sparse/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-converted/test_GLU/model.onnx":
        "GLU (Split): no GLU layer",
    "pytorch-converted/test_GLU_dim/model.onnx":
        "GLU (Split): no GLU layer",
    "pytorch-converted/test_MaxPool1d_stride_padding_dilation/model.onnx":
        "pooling with dilation: MaxPool layers here have no dilation parameter",
    "pytorch-converted/test_MaxPool2d_stride_padding_dilation/model.onnx":
        "pooling with dilation: MaxPool layers here have no dilation parameter",
    "pytorch-converted/test_MaxPool3d/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_MaxPool3d_stride/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_MaxPool3d_stride_padding/model.onnx":
        "3-D convolution/pooling: no Conv3d/Pool3d layer in the catalogue",
    "pytorch-converted/test_PReLU_1d_multiparam/model.onnx":
        "opset 6 slope of shape (C,): onnx's version converter keeps it and onnxruntime refuses the converted file",
    "pytorch-converted/test_PReLU_2d_multiparam/model.onnx":
        "opset 6 slope of shape (C,): onnx's version converter keeps it and onnxruntime refuses the converted file",
    "pytorch-converted/test_PReLU_3d_multiparam/model.onnx":
        "opset 6 slope of shape (C,): onnx's version converter keeps it and onnxruntime refuses the converted file",
    "pytorch-converted/test_PoissonNLLLLoss_no_reduce/model.onnx":
        "Exp: arithmetic that is not a layer",
    "pytorch-converted/test_ReflectionPad2d/model.onnx":
        "reflect/edge padding: no ReflectionPad2d/ReplicationPad2d layer",
    "pytorch-converted/test_ReplicationPad2d/model.onnx":
        "reflect/edge padding: no ReflectionPad2d/ReplicationPad2d layer",
    "pytorch-converted/test_Softmin/model.onnx":
        "Neg: arithmetic that is not a layer",
    "pytorch-converted/test_Softsign/model.onnx":
        "Abs: arithmetic that is not a layer",
    "pytorch-operator/test_operator_add_broadcast/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_add_size1_broadcast/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_add_size1_right_broadcast/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_add_size1_singleton_broadcast/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_addconstant/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_addmm/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "pytorch-operator/test_operator_basic/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "pytorch-operator/test_operator_chunk/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "pytorch-operator/test_operator_clip/model.onnx":
        "Clip to a range other than ReLU/ReLU6's",
    "pytorch-operator/test_operator_exp/model.onnx":
        "Exp: arithmetic that is not a layer",
    "pytorch-operator/test_operator_index/model.onnx":
        "indexing (Slice/Squeeze)",
    "pytorch-operator/test_operator_max/model.onnx":
        "Max: arithmetic that is not a layer",
    "pytorch-operator/test_operator_min/model.onnx":
        "Min: arithmetic that is not a layer",
    "pytorch-operator/test_operator_mm/model.onnx":
        "a matrix product of two inputs, not a layer with weights",
    "pytorch-operator/test_operator_non_float_params/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "pytorch-operator/test_operator_pad/model.onnx":
        "reflect/edge padding: no ReflectionPad2d/ReplicationPad2d layer",
    "pytorch-operator/test_operator_params/model.onnx":
        "arithmetic with a 2-D constant and Neg",
    "pytorch-operator/test_operator_permute2/model.onnx":
        "a bare Transpose",
    "pytorch-operator/test_operator_pow/model.onnx":
        "Pow: arithmetic that is not a layer",
    "pytorch-operator/test_operator_reduced_mean/model.onnx":
        "ReduceMean over one spatial axis, not global pooling",
    "pytorch-operator/test_operator_reduced_mean_keepdim/model.onnx":
        "ReduceMean over one spatial axis, not global pooling",
    "pytorch-operator/test_operator_reduced_sum/model.onnx":
        "ReduceSum: arithmetic that is not a layer",
    "pytorch-operator/test_operator_reduced_sum_keepdim/model.onnx":
        "ReduceSum: arithmetic that is not a layer",
    "pytorch-operator/test_operator_repeat/model.onnx":
        "Tile",
    "pytorch-operator/test_operator_repeat_dim_overflow/model.onnx":
        "Tile",
    "pytorch-operator/test_operator_sqrt/model.onnx":
        "Sqrt: arithmetic that is not a layer",
    "pytorch-operator/test_operator_symbolic_override/model.onnx":
        "InstanceNormalization: no InstanceNorm layer",
    "pytorch-operator/test_operator_symbolic_override_nested/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "pytorch-operator/test_operator_view/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "simple/test_expand_shape_model1/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_expand_shape_model2/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_expand_shape_model3/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_expand_shape_model4/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_gradient_of_add/model.onnx":
        "training-domain operator (Gradient)",
    "simple/test_gradient_of_add_and_mul/model.onnx":
        "training-domain operator (Gradient)",
    "simple/test_sequence_model1/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model2/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model3/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model4/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model5/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model6/model.onnx":
        "ONNX sequence operators",
    "simple/test_sequence_model7/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_sequence_model8/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "simple/test_shrink/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "simple/test_sign_model/model.onnx":
        "a 1-D input: no batch dimension plus sample",
    "simple/test_strnorm_model_monday_casesensintive_lower/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_strnorm_model_monday_casesensintive_nochangecase/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_strnorm_model_monday_casesensintive_upper/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_strnorm_model_monday_empty_output/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_strnorm_model_monday_insensintive_upper_twodim/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
    "simple/test_strnorm_model_nostopwords_nochangecase/model.onnx":
        "inputs that are not float32 tensors (token ids, shapes, strings)",
}


def test_every_shipped_model_is_listed():
    listed = set(IN_SCOPE) | set(OUT_OF_SCOPE)
    assert not set(IN_SCOPE) & set(OUT_OF_SCOPE)
    assert set(_all_models()) == listed


def _model(name: str, tmp_path: Path) -> Path:
    """The light models' weights are constant fills; random ones make the comparison count."""
    if name.startswith("light/"):
        return with_random_weights(DATA / name, tmp_path / Path(name).name)
    return DATA / name


@pytest.mark.parametrize("name", IN_SCOPE)
def test_in_scope_models_import_and_match_onnxruntime(name, tmp_path):
    result = import_onnx(_model(name, tmp_path))
    graph = result.project.graph
    assert any(n.type == "Input" for n in graph.nodes.values())
    assert result.max_abs_diff <= 1e-3
    assert sum(v.numel() for k, v in result.state_dict.items()
               if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))) \
        == result.parameters


@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE))
def test_out_of_scope_models_are_refused(name, tmp_path):
    with pytest.raises(ModelImportError):
        import_onnx(_model(name, tmp_path))


def test_light_models_get_weights_that_make_outputs_differ(tmp_path):
    import numpy as np
    import onnxruntime as ort

    path = _model("light/light_squeezenet.onnx", tmp_path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)
    y = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    assert y.std() > 1e-4 * abs(y.mean())


def test_classic_alexnet_keeps_its_local_response_norms(tmp_path):
    result = import_onnx(_model("light/light_bvlc_alexnet.onnx", tmp_path))
    types = [n.type for n in result.project.graph.nodes.values()]
    assert types.count("LocalResponseNorm") == 2 and types.count("Conv2d") == 5
    lrn = next(n for n in result.project.graph.nodes.values() if n.type == "LocalResponseNorm")
    assert lrn.params["size"] == 5

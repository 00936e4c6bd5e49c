/**
 * @vggt-perf-gate/runner/demo: the VGGT-shaped ONNX model the built-in demo
 * gates (patch embedding, alternating frame-wise and global attention
 * blocks, camera and depth heads), written with device's small ONNX writer.
 * Kept out of the main entry: only the demo and tests build models.
 */
export {
  buildVggtShapedModel,
  DEMO_HEAD_SLOWDOWN,
  DEMO_MODEL_OPTIONS,
  DEMO_MODEL_PATH,
  type VggtShapedModelOptions,
  writeDemoModels,
} from './vggt-onnx.js';

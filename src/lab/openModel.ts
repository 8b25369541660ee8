/** Opening a checkpoint from its files' bytes, in the compute worker, with the command line's readers. */
import { checkpointFromFiles, type CheckpointBytes } from "../io/checkpointFiles.js";
import { modelFromCheckpoint } from "../io/modelFiles.js";
import { LocalistModel } from "../lm/localistModel.js";

/** A localist model from a checkpoint folder's files; the caller closes it. */
export function modelFromBytes(files: CheckpointBytes, name: string): LocalistModel {
  const model = LocalistModel.fromFiles(
    modelFromCheckpoint(checkpointFromFiles(files, name), name),
    name,
  );
  try {
    model.requireLocalist();
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

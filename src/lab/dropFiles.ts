/** The files of folders dropped on the page (DataTransfer entries), for the checkpoint reader. */

/** Every file under a dropped folder (DataTransfer entries), with relative paths kept. */
export async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry | null, prefix: string): Promise<void> => {
    if (!entry) return;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      Object.defineProperty(file, "webkitRelativePath", { value: `${prefix}${file.name}` });
      files.push(file);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      const entries = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      for (const child of entries) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const entry of Array.from(items, (item) => item.webkitGetAsEntry())) await walk(entry, "");
  return files;
}

"""Fashion-MNIST reader and the nncc example-model preprocessing convention.

This module has no side effects; it is imported by scripts/train_fashion_mnist.py.

Data source: Debian's ``dataset-fashion-mnist`` package, which installs the
original idx files (gzip-compressed) under /usr/share/datasets/fashion-mnist/:

    train-images-idx3-ubyte.gz   60000 x 28 x 28 uint8
    train-labels-idx1-ubyte.gz   60000 uint8 labels 0..9
    t10k-images-idx3-ubyte.gz    10000 x 28 x 28 uint8
    t10k-labels-idx1-ubyte.gz    10000 uint8 labels 0..9

Preprocessing convention (used by every nncc Fashion-MNIST artefact: the ONNX
example models, calib.npy and sample.npy):

    x = pixel / 255.0          as float32, range [0, 1]
    layout NCHW = [N, 1, 28, 28]

No mean/std normalisation is applied. Anyone feeding raw idx images to the
example models must apply exactly ``to_input`` below.

Usage:
    from fashion_mnist import load_split, to_input
    images, labels = load_split("t10k")   # uint8 [N,28,28], uint8 [N]
    x = to_input(images)                  # float32 [N,1,28,28]
"""

import gzip
import os
import struct

import numpy as np

DATA_DIR = "/usr/share/datasets/fashion-mnist"

CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

_IDX_UBYTE = 0x08  # idx data-type code for unsigned byte


def read_idx(path):
    """Read a (gzip-compressed) idx file of unsigned bytes into a numpy array.

    idx format: 2 zero bytes, 1 byte data type (0x08 = uint8), 1 byte number
    of dimensions d, then d big-endian int32 sizes, then the raw data.
    """
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != _IDX_UBYTE:
        raise ValueError("%s: not an unsigned-byte idx file (header %r)" % (path, data[:4]))
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    offset = 4 + 4 * ndim
    count = int(np.prod(dims))
    if len(data) - offset != count:
        raise ValueError("%s: expected %d data bytes, found %d" % (path, count, len(data) - offset))
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims).copy()


def load_split(split, data_dir=DATA_DIR):
    """Return (images uint8 [N,28,28], labels uint8 [N]) for split 'train' or 't10k'."""
    if split not in ("train", "t10k"):
        raise ValueError("split must be 'train' or 't10k', got %r" % (split,))
    images = read_idx(os.path.join(data_dir, "%s-images-idx3-ubyte.gz" % split))
    labels = read_idx(os.path.join(data_dir, "%s-labels-idx1-ubyte.gz" % split))
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (images.shape[0],):
        raise ValueError("unexpected shapes %s / %s" % (images.shape, labels.shape))
    return images, labels


def to_input(images):
    """uint8 images [N,28,28] -> float32 NCHW [N,1,28,28] with value pixel/255."""
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    return (images.astype(np.float32) / np.float32(255.0))[:, None, :, :]

// nncc HLS kernel library: every kernel header. Generated projects include this one file.
#ifndef NNCC_H
#define NNCC_H

#include "nncc_common.h"
#include "nncc_requant.h"
#include "nncc_conv.h"
#include "nncc_dense.h"
#include "nncc_pool.h"
#include "nncc_elementwise.h"
#include "nncc_shape.h"
#include "nncc_softmax.h"

#endif

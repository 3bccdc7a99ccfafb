#pragma once
// tropigrad loss module: soft confusion-matrix (AnyLoss) metric losses and the
// classification baselines (BCE, weighted BCE, focal). Uses ad/ and semiring/.

// Package ltr is the learned ranker of the final system: a linear model over
// named evidence features (field-wise BM25, same rule, time gap, shared
// entities, first-stage rank, model scores), trained on the mined labels with
// a pairwise (RankNet) or listwise (softmax) loss and L2 regularisation.
//
// Why linear: with a few hundred labelled queries, learning how to weigh a
// dozen pieces of evidence generalises where a deep model does not (REP on
// bug trackers), and every score splits exactly into per-feature
// contributions, which "why this match", the report and the model card show.
//
// Everything here is a pure function of its inputs: features are computed by
// the caller (app), so this package knows nothing of tickets.
package ltr

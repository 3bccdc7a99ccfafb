#pragma once
// RAII guards over the thread's tape: Scope (a nested tape region that is
// rolled back on exit) and NoGrad (stop recording, like torch.no_grad()).

#include "tape.hpp"

namespace tropigrad {

/// Everything recorded while the Scope lives is dropped when it ends, and the
/// memory is reused. backward() inside a Scope stops at the Scope's start, so
/// an inner gradient computation leaves the outer tape untouched. Variables
/// made inside must not be used after the Scope ends (that throws TapeError).
template <class T = double>
class Scope {
public:
  Scope() : tape_(tape<T>()) { tape_.push_scope(); }
  ~Scope() { tape_.pop_scope(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

private:
  Tape<T>& tape_;
};

/// Operations run while a NoGrad lives are not recorded; their results are constants.
template <class T = double>
class NoGrad {
public:
  NoGrad() : tape_(tape<T>()), previous_(tape_.recording()) { tape_.set_recording(false); }
  ~NoGrad() { tape_.set_recording(previous_); }
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

private:
  Tape<T>& tape_;
  bool previous_;
};

}  // namespace tropigrad

"""The training generator: it learns, it is reproducible, it reports every batch, it stops on divergence."""

import numpy as np
import pytest

from convdemo.core.errors import ConvdemoError, ParameterError
from convdemo.core.nn import (
    Architecture,
    Model,
    TrainingConfig,
    TrainingDiverged,
    evaluate,
    make_digits,
    split,
    train,
)


@pytest.fixture(scope="module")
def digits():
    return split(make_digits(3000, seed=11), 0.2, seed=11)


def test_a_short_seeded_run_beats_chance_by_a_wide_margin(digits):
    train_set, val_set = digits
    model = Model(Architecture(), train_set.class_names, seed=0)
    records = list(train(model, train_set, val_set, TrainingConfig(epochs=3, lr=0.005)))
    assert records[-1].val_accuracy > 0.85  # chance is 0.10
    assert records[-1].epoch_loss < records[0].loss / 3
    assert evaluate(model, val_set).accuracy == pytest.approx(records[-1].val_accuracy)


def test_progress_after_every_batch_with_validation_at_each_epoch_end(digits):
    train_set, val_set = digits
    model = Model(Architecture(filters=2), train_set.class_names)
    records = list(train(model, train_set, val_set, TrainingConfig(epochs=2, batch_size=500)))
    batches = -(-len(train_set) // 500)
    assert len(records) == 2 * batches
    assert [(r.epoch, r.batch) for r in records[:batches + 1]] == [(1, b) for b in range(1, batches + 1)] + [(2, 1)]
    ends = [r for r in records if r.end_of_epoch]
    assert len(ends) == 2 and all(r.val_accuracy is not None and r.val_loss is not None for r in ends)
    assert all(r.val_accuracy is None for r in records if not r.end_of_epoch)
    assert records[-1].fraction_done == 1.0
    assert all(r.images_per_second > 0 and 0 <= r.accuracy <= 1 for r in records)
    assert [r.seconds for r in records] == sorted(r.seconds for r in records)


def test_stopping_between_batches_leaves_a_usable_model(digits):
    train_set, _ = digits
    model = Model(Architecture(), train_set.class_names)
    before = model.first_layer_filters()
    run = train(model, train_set, None, TrainingConfig())
    first = next(run)
    run.close()
    assert first.batch == 1 and first.val_accuracy is None
    assert not np.array_equal(before, model.first_layer_filters())


def test_the_same_seed_gives_identical_weights(digits):
    train_set, _ = digits
    small = train_set.subset(np.arange(600))

    def weights(seed):
        model = Model(Architecture(), small.class_names, seed=seed)
        for _ in train(model, small, None, TrainingConfig(epochs=1, seed=seed, optimizer="sgd", lr=0.05)):
            pass
        return model.get_weights()

    first, again, other = weights(3), weights(3), weights(4)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["conv1.weight"], other["conv1.weight"])


def test_divergence_stops_training_with_a_learning_rate_hint(digits):
    train_set, _ = digits
    model = Model(Architecture(), train_set.class_names)
    with pytest.raises(TrainingDiverged, match="smaller learning rate") as caught:
        for _ in train(model, train_set, None, TrainingConfig(lr=1e38, optimizer="sgd")):
            pass
    assert isinstance(caught.value, ConvdemoError)


@pytest.mark.parametrize("kwargs, words", [({"epochs": 0}, "epochs"), ({"batch_size": 0}, "batch size"),
                                           ({"lr": -1.0}, "learning rate"), ({"optimizer": "rmsprop"}, "optimizer")])
def test_bad_settings_are_refused(kwargs, words):
    with pytest.raises(ParameterError, match=words):
        TrainingConfig(**kwargs)


def test_data_that_does_not_fit_the_model_is_refused(digits):
    train_set, _ = digits
    model = Model(Architecture(n_classes=3))
    with pytest.raises(ParameterError, match="does not fit"):
        next(train(model, train_set, None, TrainingConfig()))

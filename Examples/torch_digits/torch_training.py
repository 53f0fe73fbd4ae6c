"""The PyTorch training loop shared by train.py, ../qonnx_digits/train_brevitas.py and
../digits_residual/train.py, and the seeded set-up of train.py and ../digits_residual."""
import time

import torch
from torch import nn


def seeded_digits(seed, shape, scale):
    """Seeds torch with `seed` on one thread with deterministic algorithms (the same model.json
    on every run), then loads the digits (binarynet.load_digits: ../digits_mlp/*.npy, on the
    caller's sys.path). Returns ((q_train, y_train), (q_test, y_test)) and (x_train, x_test),
    the pixels as tensors of `shape` (to_tensor)."""
    import binarynet
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    (q_train, y_train), (q_test, y_test) = binarynet.load_digits()
    x_train, x_test = to_tensor(q_train, shape, scale), to_tensor(q_test, shape, scale)
    return ((q_train, y_train), (q_test, y_test)), (x_train, x_test)


def to_tensor(q, shape, scale):
    """uint8 pixels q -> float32 tensor of the given shape holding q * scale."""
    return torch.tensor(q.reshape(shape) * scale, dtype=torch.float32)


def train(model, x_train, y_train, x_test, y_test, epochs, seed, clip):
    """Trains model with Adam (learning rate 1e-2 decaying exponentially to 1e-4 over `epochs`),
    cross entropy, batches of 64 in an order drawn from a generator seeded with `seed` (the
    ragged last batch dropped); clip(model) after every step keeps the latent weights in
    [-1, 1]. x_train, x_test are tensors, y_train, y_test numpy labels; prints the test
    accuracy every 10 epochs. Returns (test predictions in eval mode, training seconds)."""
    t_train = torch.tensor(y_train, dtype=torch.long)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(1e-2) ** (1 / epochs))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=gen)
        for i in range(0, len(order) - 63, 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(x_train[idx]), t_train[idx])
            loss.backward()
            opt.step()
            clip(model)
        sched.step()
        if epoch % 10 == 9 or epoch == epochs - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(x_test).argmax(1).numpy() == y_test).mean()
            print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}  test {acc:.4f}")
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        return model(x_test).argmax(1).numpy(), seconds

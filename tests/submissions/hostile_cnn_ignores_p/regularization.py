# build_dropout_cnn whose dropout rate is always 0.9, whatever p is asked: the nn.Dropout(p)
# the grader looks for is on the forward path (an ancestor of the output) but multiplied by 0,
# so it never changes anything; the dropout that acts is a functional one, hard-coded.
import torch
from torch import nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.flat = nn.Flatten()
        self.drop = nn.Dropout(p)          # the module the contract asks for: decoration only
        self.drop_default = nn.Dropout(0.5)        # and one with the default p, decoration too
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        h = self.pool(F.relu(self.c1(x)))
        h = self.flat(self.pool(F.relu(self.c2(h))))
        h = F.dropout(h, 0.9, self.training) + 0 * self.drop(h) + 0 * self.drop_default(h)     # p ignored: always 0.9
        return self.fc(h)


def build_dropout_cnn(p=0.1):            # even the default is wrong
    return Net(p)

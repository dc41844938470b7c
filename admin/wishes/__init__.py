"""Citizens' wishes and errands (心愿 / 代办): "师生'动嘴'，党员'跑腿'"."""
